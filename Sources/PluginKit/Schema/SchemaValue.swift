import PatternText

/// A type whose JSON form a `JSONSchema` describes (a response body, a component).
public protocol SchemaDescribed {
    static var schema: JSONSchema { get }
}

/// A type read from JSON after its schema checked the value (so reading cannot fail) and
/// written back as JSON of the same schema.
public protocol SchemaValue: SchemaDescribed, Sendable {
    /// Reads `json`, which passed `Self.schema`'s check (or a refinement of it).
    init(checked json: JSONValue)
    /// Checks `json` against the schema (problems named from `path`, `body` for "") and reads
    /// it. A requirement, so generic callers reach a `JSONObject`'s own member-by-member
    /// version (with its `normalized` checks).
    init(json: JSONValue, at path: String) throws(HTTPError)
    var json: JSONValue { get }
    /// Whether `null` is one of the values (true only for `Optional`).
    static var acceptsNull: Bool { get }
}

extension SchemaValue {
    public static var acceptsNull: Bool { false }

    public init(json: JSONValue, at path: String = "") throws(HTTPError) {
        try Self.schema.check(json, at: path)
        self.init(checked: json)
    }
}

extension String: SchemaValue {
    public static var schema: JSONSchema { .string }
    public init(checked json: JSONValue) { self = json.stringValue ?? "" }
    public var json: JSONValue { .string(self) }
}

extension Int64: SchemaValue {
    public static var schema: JSONSchema { .integer }
    public init(checked json: JSONValue) { self = JSONSchema.integer(json) ?? 0 }
    public var json: JSONValue { .integer(self) }
}

extension Int: SchemaValue {
    public static var schema: JSONSchema { .integer }
    public init(checked json: JSONValue) { self = Int(JSONSchema.integer(json) ?? 0) }
    public var json: JSONValue { .integer(Int64(self)) }
}

extension Double: SchemaValue {
    public static var schema: JSONSchema { .number }
    public init(checked json: JSONValue) {
        switch json {
        case .integer(let number): self = Double(number)
        case .number(let number): self = number
        default: self = 0
        }
    }
    public var json: JSONValue { .number(self) }
}

extension Bool: SchemaValue {
    public static var schema: JSONSchema { .boolean }
    public init(checked json: JSONValue) { self = json == .bool(true) }
    public var json: JSONValue { .bool(self) }
}

/// Any JSON value; refine the field's schema (`{ _ in .object }`) to narrow it.
extension JSONValue: SchemaValue {
    public static var schema: JSONSchema { .any }
    public init(checked json: JSONValue) { self = json }
    public var json: JSONValue { self }
}

extension Array: SchemaDescribed where Element: SchemaDescribed {
    public static var schema: JSONSchema { .array(Element.schema) }
}

extension Array: SchemaValue where Element: SchemaValue {
    public init(checked json: JSONValue) { self = (json.arrayValue ?? []).map(Element.init(checked:)) }
    public var json: JSONValue { .array(map(\.json)) }
}

/// `null` or the wrapped value. As a member type of a PATCH body (`String??`), absent stays
/// nil and `null` becomes `.some(nil)`.
extension Optional: SchemaDescribed where Wrapped: SchemaDescribed {
    public static var schema: JSONSchema { Wrapped.schema.orNull() }
}

extension Optional: SchemaValue where Wrapped: SchemaValue {
    public static var acceptsNull: Bool { true }
    public init(checked json: JSONValue) { self = json.isNull ? nil : Wrapped(checked: json) }
    public var json: JSONValue { map(\.json) ?? .null }
}
