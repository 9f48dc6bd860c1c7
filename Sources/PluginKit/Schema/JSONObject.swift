import PatternText

/// A JSON object type declared once: its members, their Swift properties and constraints.
/// From `fields` come its schema (checks and OpenAPI) and its decoding.
///
///     struct EchoRequest: JSONObject {
///         var text = ""
///         static let fields: [JSONField<Self>] = [JSONField("text", \.text, required: true) { $0.maxLength(1000) }]
///     }
///     let echo = try EchoRequest(json: body)   // validation_error naming "text" when it is wrong
public protocol JSONObject: SchemaValue {
    /// The value before any member is read (absent members keep these defaults).
    init()
    static var fields: [JSONField<Self>] { get }
    /// The component name it is published under; nil inlines it.
    static var schemaName: String? { get }
    /// Whether members it does not declare are accepted (and ignored).
    static var allowsOtherMembers: Bool { get }
    /// What no schema keyword says, run after the checks when a body or query is decoded:
    /// throws a `validation_error` (names from `path`) or returns the value normalised.
    func normalized(at path: String) throws(HTTPError) -> Self
}

extension JSONObject {
    public static var schemaName: String? { nil }
    public static var allowsOtherMembers: Bool { true }
    public func normalized(at path: String) throws(HTTPError) -> Self { self }

    public static var schema: JSONSchema {
        var schema = JSONSchema.object(fields.map(\.property), additionalProperties: allowsOtherMembers)
        schema.name = schemaName
        return schema
    }

    public init(checked json: JSONValue) {
        self.init()
        guard case .object(let members) = json else { return }
        for field in Self.fields {
            if let member = members[field.property.key] { field.assign(&self, member) }
        }
    }

    /// Every declared member; an optional one that is nil is `null` when required (always
    /// present) and left out otherwise.
    public var json: JSONValue {
        var members: [String: JSONValue] = [:]
        members.reserveCapacity(Self.fields.count)
        for field in Self.fields {
            let value = field.read(self)
            if value != nil || field.property.required { members[field.property.key] = value ?? .null }
        }
        return .object(members)
    }

    /// Checks and reads `json`, member by member (no schema is built per request).
    public init(json: JSONValue, at path: String = "") throws(HTTPError) {
        try JSONSchema.checkObject(json, at: path, Self.fields.lazy.map(\.property),
                                   additionalProperties: Self.allowsOtherMembers)
        self = try Self(checked: json).normalized(at: path)
    }

    /// Reads the members from query parameters through `query` (`Request.query` or a
    /// service's arguments): text becomes the integer, number or boolean its schema wants
    /// (`true`/`false`/`1`/`0`), or stays text and fails the check naming the parameter.
    public init(query: (String) throws(HTTPError) -> String?) throws(HTTPError) {
        var members: [String: JSONValue] = [:]
        for field in Self.fields {
            if let text = try query(field.property.key) { members[field.property.key] = field.property.schema.parse(text) }
        }
        try self.init(json: .object(members))
    }
}

/// One member of a `JSONObject`: its key, the property it fills and its schema (the Swift
/// type's, refined by the trailing closure).
public struct JSONField<Root>: Sendable {
    public let property: JSONSchema.Property
    let assign: @Sendable (inout Root, JSONValue) -> Void
    /// The member's JSON, nil for an optional member that is nil.
    let read: @Sendable (Root) -> JSONValue?

    init(property: JSONSchema.Property, assign: @escaping @Sendable (inout Root, JSONValue) -> Void,
         read: @escaping @Sendable (Root) -> JSONValue?) {
        self.property = property
        self.assign = assign
        self.read = read
    }

    /// A member stored as is; absent keeps the default unless `required`.
    public init<Value: SchemaValue>(
        _ key: String, _ path: WritableKeyPath<Root, Value> & Sendable, required: Bool = false,
        _ refine: (JSONSchema) -> JSONSchema = { $0 }
    ) {
        property = JSONSchema.Property.property(key, refine(Value.schema), required: required)
        assign = { root, json in root[keyPath: path] = Value(checked: json) }
        read = { root in root[keyPath: path].json }
    }

    /// An optional member: absent stays nil (`required` is for response types, whose
    /// members are always present). `null` is refused unless `Value` is itself
    /// optional (a PATCH's `String??`, where `null` clears) or the schema says `orNull()`.
    public init<Value: SchemaValue>(
        _ key: String, _ path: WritableKeyPath<Root, Value?> & Sendable, required: Bool = false,
        _ refine: (JSONSchema) -> JSONSchema = { $0 }
    ) {
        property = JSONSchema.Property.property(key, refine(Value.schema), required: required)
        assign = { root, json in
            root[keyPath: path] = json.isNull && !Value.acceptsNull ? nil : Value(checked: json)
        }
        read = { root in root[keyPath: path]?.json }
    }
}

extension JSONField {
    /// The same member, required or not.
    public func required(_ required: Bool) -> JSONField {
        var property = property
        property.required = required
        return JSONField(property: property, assign: assign, read: read)
    }

    /// The same member as a member of `Outer`, which holds a `Root` at `path`.
    public func lifted<Outer>(_ path: WritableKeyPath<Outer, Root> & Sendable, required: Bool? = nil) -> JSONField<Outer> {
        let (assign, read) = (self.assign, self.read)
        var property = property
        if let required { property.required = required }
        return JSONField<Outer>(property: property, assign: { outer, json in assign(&outer[keyPath: path], json) },
                                read: { outer in read(outer[keyPath: path]) })
    }

    /// A member read and written through `get` and `set` (a property nested deeper than one
    /// key path reaches).
    public init<Value: SchemaValue>(_ key: String, schema: JSONSchema, get: @escaping @Sendable (Root) -> Value,
                                    set: @escaping @Sendable (inout Root, Value) -> Void) {
        property = JSONSchema.Property.property(key, schema, required: false)
        assign = { root, json in set(&root, Value(checked: json)) }
        read = { root in get(root).json }
    }
}

extension JSONSchema {
    /// Query text as the JSON value this schema checks.
    func parse(_ text: String) -> JSONValue {
        switch kind {
        case .integer: Int64(text).map(JSONValue.integer) ?? .string(text)
        case .number: Double(text).map(JSONValue.number) ?? .string(text)
        case .boolean: PageRequest.boolean(text).map(JSONValue.bool) ?? .string(text)
        default: .string(text)
        }
    }
}
