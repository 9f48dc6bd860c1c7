import PatternText

/// A TOML value. Offset date-times, local date-times, local dates and local times are kept
/// as their source text (`dateTime`); the host's configuration never does arithmetic on them.
indirect enum TOMLValue: Sendable, Equatable {
    case string(String)
    case integer(Int64)
    case float(Double)
    case boolean(Bool)
    case dateTime(String)
    case array([TOMLValue])
    case table(TOMLTable)
}

/// A TOML table: keys in the order the file defined them, each with its value.
/// Equality compares contents, not order (a table is a map).
struct TOMLTable: Sendable, Equatable {
    private(set) var keys: [String] = []
    private var storage: [String: TOMLValue] = [:]

    init() {}

    init(_ entries: [(String, TOMLValue)]) {
        for (key, value) in entries { self[key] = value }
    }

    /// Reading a missing key gives nil; assigning nil removes the key; assigning to an existing
    /// key replaces its value and keeps its position.
    subscript(key: String) -> TOMLValue? {
        get { storage[key] }
        set {
            if let newValue {
                if storage.updateValue(newValue, forKey: key) == nil { keys.append(key) }
            } else if storage.removeValue(forKey: key) != nil {
                keys.removeAll { $0 == key }
            }
        }
    }

    var count: Int { keys.count }
    var isEmpty: Bool { keys.isEmpty }

    /// The entries in file order.
    var entries: [(key: String, value: TOMLValue)] {
        keys.map { (key: $0, value: storage[$0]!) }
    }

    /// The value at a path of keys, descending through nested tables.
    func value(at path: some Collection<String>) -> TOMLValue? {
        guard let first = path.first, let value = storage[first] else { return nil }
        let rest = path.dropFirst()
        if rest.isEmpty { return value }
        guard case .table(let table) = value else { return nil }
        return table.value(at: rest)
    }

    static func == (lhs: TOMLTable, rhs: TOMLTable) -> Bool {
        lhs.storage == rhs.storage
    }
}

extension TOMLTable: ExpressibleByDictionaryLiteral {
    init(dictionaryLiteral elements: (String, TOMLValue)...) {
        self.init(elements)
    }
}

extension TOMLValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    init(stringLiteral value: String) { self = .string(value) }
    init(integerLiteral value: Int64) { self = .integer(value) }
    init(floatLiteral value: Double) { self = .float(value) }
    init(booleanLiteral value: Bool) { self = .boolean(value) }
    init(arrayLiteral elements: TOMLValue...) { self = .array(elements) }
    init(dictionaryLiteral elements: (String, TOMLValue)...) { self = .table(TOMLTable(elements)) }
}

extension TOMLValue {
    var stringValue: String? { if case .string(let value) = self { value } else { nil } }
    var integerValue: Int64? { if case .integer(let value) = self { value } else { nil } }
    var floatValue: Double? { if case .float(let value) = self { value } else { nil } }
    var booleanValue: Bool? { if case .boolean(let value) = self { value } else { nil } }
    var arrayValue: [TOMLValue]? { if case .array(let value) = self { value } else { nil } }
    var tableValue: TOMLTable? { if case .table(let value) = self { value } else { nil } }

    /// The TOML name of the value's type, for messages.
    var typeName: String {
        switch self {
        case .string: "string"
        case .integer: "integer"
        case .float: "float"
        case .boolean: "boolean"
        case .dateTime: "date-time"
        case .array: "array"
        case .table: "table"
        }
    }

    /// `an integer`, `a string`, … for messages.
    var typeNameWithArticle: String {
        switch self {
        case .integer, .array: "an \(typeName)"
        default: "a \(typeName)"
        }
    }
}

// MARK: - JSON

extension TOMLValue {
    /// Compact JSON text (RFC 8259). Non-finite floats become `null`; date-times become strings.
    var json: String {
        var out: [UInt8] = []
        writeJSON(into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    func writeJSON(into out: inout [UInt8]) {
        switch self {
        case .string(let value), .dateTime(let value):
            JSONString.append(value, to: &out)
        case .integer(let value):
            DecimalText.append(value, to: &out)
        case .float(let value):
            out.append(contentsOf: (value.isFinite ? "\(value)" : "null").utf8)
        case .boolean(let value):
            out.append(contentsOf: (value ? "true" : "false").utf8)
        case .array(let values):
            out.append(UInt8(ascii: "["))
            for (index, value) in values.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                value.writeJSON(into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .table(let table):
            table.writeJSON(into: &out)
        }
    }
}

extension TOMLTable {
    /// Compact JSON object text, keys in file order.
    var json: String { TOMLValue.table(self).json }

    func writeJSON(into out: inout [UInt8]) {
        out.append(UInt8(ascii: "{"))
        for (index, entry) in entries.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            JSONString.append(entry.key, to: &out)
            out.append(UInt8(ascii: ":"))
            entry.value.writeJSON(into: &out)
        }
        out.append(UInt8(ascii: "}"))
    }
}
