import PatternText

/// A string enumeration is a schema value of its raw values:
/// `enum Kind: String, CaseIterable, SchemaValue { case a, b }`.
extension SchemaValue where Self: RawRepresentable & CaseIterable, RawValue == String {
    public static var schema: JSONSchema { JSONSchema.string.oneOf(allCases.map(\.rawValue)) }
    public init(checked json: JSONValue) { self = Self(rawValue: json.stringValue ?? "") ?? Self.allCases.first! }
    public var json: JSONValue { .string(rawValue) }
}
