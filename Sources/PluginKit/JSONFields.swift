import PatternText

/// Typed reads of a JSON object's members with API.md's `validation_error`s naming the field
/// by its full path (`coordination_pattern.stages[0].timeout`). For bodies that need more
/// than `Decodable` gives: telling an absent member from an explicit `null` (PATCH), and
/// tagged unions checked by hand.
///
/// Absent and `null` members both read as nil from the optional readers; `has` tells them apart.
public struct JSONFields: Sendable {
    public let members: [String: JSONValue]
    /// The path of this object itself, "" for the body.
    public let path: String

    /// `value` must be an object; otherwise a validation error names `path` (or `body`).
    public init(_ value: JSONValue, path: String = "") throws(HTTPError) {
        guard case .object(let members) = value else {
            throw .validation(path.isEmpty ? "body" : path, "must be an object")
        }
        self.members = members
        self.path = path
    }

    /// The full path of member `key`.
    public func field(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// True when the member is present, even as `null`.
    public func has(_ key: String) -> Bool { members[key] != nil }

    /// True when the member is present and not `null`.
    public func hasValue(_ key: String) -> Bool { members[key].map { !$0.isNull } ?? false }

    private func present(_ key: String) -> JSONValue? {
        guard let value = members[key], !value.isNull else { return nil }
        return value
    }

    private func required(_ key: String) throws(HTTPError) -> JSONValue {
        guard let value = members[key] else { throw .validation(field(key), "is required") }
        guard !value.isNull else { throw .validation(field(key), "must not be null") }
        return value
    }

    private func mismatch(_ key: String, _ expected: String) -> HTTPError {
        .validation(field(key), "must be \(expected)")
    }

    // MARK: Strings

    public func string(_ key: String) throws(HTTPError) -> String? {
        guard let value = present(key) else { return nil }
        guard case .string(let text) = value else { throw mismatch(key, "a string") }
        return text
    }

    public func requiredString(_ key: String) throws(HTTPError) -> String {
        guard case .string(let text) = try required(key) else { throw mismatch(key, "a string") }
        return text
    }

    // MARK: Numbers and booleans

    /// An integer (a number with a fractional part is refused).
    public func integer(_ key: String) throws(HTTPError) -> Int64? {
        guard let value = present(key) else { return nil }
        switch value {
        case .integer(let number): return number
        case .number(let number) where number.rounded() == number && abs(number) < 9e15: return Int64(number)
        default: throw mismatch(key, "an integer")
        }
    }

    public func requiredInteger(_ key: String) throws(HTTPError) -> Int64 {
        _ = try required(key)
        return try integer(key)!
    }

    public func bool(_ key: String) throws(HTTPError) -> Bool? {
        guard let value = present(key) else { return nil }
        guard case .bool(let flag) = value else { throw mismatch(key, "a boolean") }
        return flag
    }

    public func requiredBool(_ key: String) throws(HTTPError) -> Bool {
        guard case .bool(let flag) = try required(key) else { throw mismatch(key, "a boolean") }
        return flag
    }

    // MARK: Containers

    public func object(_ key: String) throws(HTTPError) -> JSONFields? {
        guard let value = present(key) else { return nil }
        guard case .object = value else { throw mismatch(key, "an object") }
        return try JSONFields(value, path: field(key))
    }

    public func requiredObject(_ key: String) throws(HTTPError) -> JSONFields {
        let value = try required(key)
        guard case .object = value else { throw mismatch(key, "an object") }
        return try JSONFields(value, path: field(key))
    }

    public func array(_ key: String) throws(HTTPError) -> [JSONValue]? {
        guard let value = present(key) else { return nil }
        guard case .array(let items) = value else { throw mismatch(key, "an array") }
        return items
    }

    public func requiredArray(_ key: String) throws(HTTPError) -> [JSONValue] {
        guard case .array(let items) = try required(key) else { throw mismatch(key, "an array") }
        return items
    }

    /// An array of strings; a non-string element is named by its index (`tools[2]`).
    public func stringArray(_ key: String) throws(HTTPError) -> [String]? {
        guard let items = try array(key) else { return nil }
        var strings: [String] = []
        for (index, item) in items.enumerated() {
            guard case .string(let text) = item else {
                throw .validation("\(field(key))[\(index)]", "must be a string")
            }
            strings.append(text)
        }
        return strings
    }

    /// The raw member, nil when absent or `null`.
    public func value(_ key: String) -> JSONValue? { present(key) }
}
