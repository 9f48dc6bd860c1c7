import PatternText

/// A JSON Schema (the subset routes need) that both checks a `JSONValue` and renders itself
/// into an OpenAPI 3.1 document, so the two can never disagree.
///
///     let name = JSONSchema.string.length(1...128)
///     try name.check(.string(""), at: "name")   // validation_error: "name: must not be empty"
///
/// String lengths count Unicode scalars, as JSON Schema's `minLength`/`maxLength` do.
/// A `name` turns the schema into a shared component (`#/components/schemas/<name>`).
public struct JSONSchema: Sendable {
    public enum Kind: String, Sendable {
        case string, integer, number, boolean, array, object
        /// Any JSON value (no `type`).
        case any
        /// Exactly one of `alternatives`.
        case oneOf
        /// No value at all: a member that must not be sent (`{"not": {}}`).
        case never
    }

    public struct Property: Sendable {
        public var key: String
        public var schema: JSONSchema
        public var required: Bool

        public static func property(_ key: String, _ schema: JSONSchema, required: Bool = true) -> Property {
            Property(key: key, schema: schema, required: required)
        }
    }

    /// A check no keyword expresses (a tagged union read by hand); it throws the field's error.
    public typealias Check = @Sendable (JSONValue, String) throws(HTTPError) -> Void

    public var kind: Kind
    public var nullable = false
    public var name: String?
    public var summary: String?
    public var format: String?
    public var minLength: Int?
    public var maxLength: Int?
    public var refusesControlCharacters = false
    /// With `refusesControlCharacters`, also U+0080–U+009F (what the host refuses in a query).
    var refusesC1ControlCharacters = false
    public var refusesBlank = false
    /// An ECMA-262 pattern and the matcher that checks it (they are given together).
    public var pattern: String?
    public var matches: (@Sendable (String) -> Bool)?
    public var enumeration: [String]?
    public var constant: String?
    public var minimum: Int64?
    public var maximum: Int64?
    public var defaultValue: JSONValue?
    /// The element schema of an array (one element, an array for the recursion).
    public var items: [JSONSchema] = []
    public var minItems: Int?
    public var maxItems: Int?
    public var properties: [Property] = []
    /// Whether an object may carry members it does not declare.
    public var additionalProperties = true
    public var alternatives: [JSONSchema] = []
    public var customCheck: Check?

    public init(_ kind: Kind) { self.kind = kind }

    public static let string = JSONSchema(.string)
    public static let integer = JSONSchema(.integer)
    public static let number = JSONSchema(.number)
    public static let boolean = JSONSchema(.boolean)
    public static let any = JSONSchema(.any)
    /// A member that must be left out.
    public static let never = JSONSchema(.never)
    /// Any JSON object.
    public static let object = JSONSchema(.object)
    public static let timestamp = JSONSchema.string.format("date-time")

    public static func array(_ items: JSONSchema) -> JSONSchema {
        var schema = JSONSchema(.array)
        schema.items = [items]
        return schema
    }

    public static func object(_ properties: [Property], additionalProperties: Bool = true) -> JSONSchema {
        var schema = JSONSchema(.object)
        schema.properties = properties
        schema.additionalProperties = additionalProperties
        return schema
    }

    public static func oneOf(_ alternatives: [JSONSchema]) -> JSONSchema {
        var schema = JSONSchema(.oneOf)
        schema.alternatives = alternatives
        return schema
    }

    /// An object whose `key` is the constant `tag`: one case of a tagged union.
    public static func tagged(_ key: String, _ tag: String, _ properties: [Property]) -> JSONSchema {
        var discriminator = JSONSchema.string
        discriminator.constant = tag
        return .object([.property(key, discriminator)] + properties)
    }
}

/// Refinements, each returning a copy: `JSONSchema.string.length(1...128).printable()`.
extension JSONSchema {
    private func with(_ change: (inout JSONSchema) -> Void) -> JSONSchema {
        var copy = self
        change(&copy)
        return copy
    }

    public func named(_ name: String) -> JSONSchema { with { $0.name = name } }
    public func describe(_ text: String) -> JSONSchema { with { $0.summary = text } }
    public func format(_ format: String) -> JSONSchema { with { $0.format = format } }
    public func orNull() -> JSONSchema { with { $0.nullable = true } }
    public func length(_ range: ClosedRange<Int>) -> JSONSchema {
        with { $0.minLength = range.lowerBound; $0.maxLength = range.upperBound }
    }
    public func minLength(_ count: Int) -> JSONSchema { with { $0.minLength = count } }
    public func maxLength(_ count: Int) -> JSONSchema { with { $0.maxLength = count } }
    public func nonEmpty() -> JSONSchema { with { $0.minLength = 1 } }
    /// No control characters (U+0000–U+001F, U+007F).
    public func printable() -> JSONSchema { with { $0.refusesControlCharacters = true } }
    /// A query parameter's schema as published: the host hands out no query value holding a
    /// C0, DEL or C1 control character, so free text says so (patterns and enums already do).
    var asQueryParameter: JSONSchema {
        guard kind == .string, name == nil, pattern == nil, enumeration == nil, constant == nil else { return self }
        return with { $0.refusesControlCharacters = true; $0.refusesC1ControlCharacters = true }
    }
    /// At least one character that is not white space.
    public func nonBlank() -> JSONSchema { with { $0.refusesBlank = true } }
    /// `pattern` as published, checked by `matches` (no regular-expression engine runs).
    public func pattern(_ pattern: String, matches: @escaping @Sendable (String) -> Bool) -> JSONSchema {
        with { $0.pattern = pattern; $0.matches = matches }
    }
    public func oneOf(_ values: [String]) -> JSONSchema { with { $0.enumeration = values } }
    public func range(_ range: ClosedRange<Int64>) -> JSONSchema {
        with { $0.minimum = range.lowerBound; $0.maximum = range.upperBound }
    }
    public func minimum(_ value: Int64) -> JSONSchema { with { $0.minimum = value } }
    public func defaultsTo(_ value: JSONValue) -> JSONSchema { with { $0.defaultValue = value } }
    public func maxItems(_ count: Int) -> JSONSchema { with { $0.maxItems = count } }
    public func itemCount(_ range: ClosedRange<Int>) -> JSONSchema {
        with { $0.minItems = range.lowerBound; $0.maxItems = range.upperBound }
    }
    /// Refines the element schema of an array.
    public func items(_ refine: (JSONSchema) -> JSONSchema) -> JSONSchema { with { $0.items = $0.items.map(refine) } }
    public func closed() -> JSONSchema { with { $0.additionalProperties = false } }
    public func checked(by check: @escaping Check) -> JSONSchema { with { $0.customCheck = check } }
}
