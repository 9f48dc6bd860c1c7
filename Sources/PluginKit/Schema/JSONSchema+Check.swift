import PatternText

/// Checking a value against the schema: the first problem found is a `validation_error`
/// naming the field by its full path (`operation.content`, `tools[2]`; `body` for the root).
extension JSONSchema {
    public func check(_ value: JSONValue, at path: String) throws(HTTPError) {
        if value.isNull {
            guard nullable else { throw .validation(Self.name(path), "must not be null") }
            return
        }
        if let customCheck { return try customCheck(value, path) }
        switch kind {
        case .any: return
        case .string: try checkString(value, at: path)
        case .integer: try checkInteger(value, at: path)
        case .number:
            switch value {
            case .integer, .number: return
            default: throw .validation(Self.name(path), "must be a number")
            }
        case .boolean:
            guard case .bool = value else { throw .validation(Self.name(path), "must be a boolean") }
        case .array: try checkArray(value, at: path)
        case .object: try Self.checkObject(value, at: path, properties, additionalProperties: additionalProperties)
        case .oneOf: try checkAlternatives(value, at: path)
        case .never: throw .validation(Self.name(path), "must not be sent")
        }
    }

    /// The path of member `key` of the object at `path`.
    public static func member(_ key: String, of path: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    private static func name(_ path: String) -> String { path.isEmpty ? "body" : path }

    private func checkString(_ value: JSONValue, at path: String) throws(HTTPError) {
        guard case .string(let text) = value else { throw .validation(Self.name(path), "must be a string") }
        if let constant, text != constant { throw .validation(Self.name(path), "must be \"\(constant)\"") }
        if let enumeration, !enumeration.contains(text) {
            throw .validation(Self.name(path), "must be one of \(enumeration.joined(separator: ", "))")
        }
        if minLength != nil || maxLength != nil, let count = Self.scalarCount(text, within: minLength, maxLength) {
            if let minLength, count < minLength {
                throw .validation(Self.name(path), minLength == 1 ? "must not be empty" : lengthRule)
            }
            if let maxLength, count > maxLength { throw .validation(Self.name(path), lengthRule) }
        }
        if refusesBlank, text.allSatisfy(\.isWhitespace) { throw .validation(Self.name(path), "must not be empty") }
        if let matches, !matches(text) { throw .validation(Self.name(path), "must match \(pattern ?? "its pattern")") }
        // C0 and DEL on UTF-8 bytes (every byte of a multi-byte scalar is >= 0x80); C1 only where asked.
        if refusesControlCharacters, text.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F })
            || (refusesC1ControlCharacters && text.unicodeScalars.contains(where: { (0x80...0x9F).contains($0.value) })) {
            throw .validation(Self.name(path), "must not contain control characters")
        }
    }

    /// The Unicode scalars in `text` (what `minLength`/`maxLength` count), or nil when its UTF-8
    /// size alone shows it within the bounds: a scalar takes 1 to 4 bytes, so most strings need
    /// no count at all.
    static func scalarCount(_ text: String, within minLength: Int?, _ maxLength: Int?) -> Int? {
        let bytes = text.utf8.count
        if bytes <= (maxLength ?? Int.max), (bytes + 3) / 4 >= (minLength ?? 0) { return nil }
        return text.utf8.reduce(0) { count, byte in byte & 0xC0 == 0x80 ? count : count + 1 }
    }

    private var lengthRule: String {
        switch (minLength, maxLength) {
        case let (low?, high?): "must be \(low) to \(high) characters"
        case let (low?, nil): "must be at least \(low) characters"
        case let (nil, high?): "must be at most \(high) characters"
        case (nil, nil): "has a bad length"
        }
    }

    private func checkInteger(_ value: JSONValue, at path: String) throws(HTTPError) {
        guard let number = Self.integer(value) else { throw .validation(Self.name(path), integerRule) }
        if let minimum, number < minimum { throw .validation(Self.name(path), integerRule) }
        if let maximum, number > maximum { throw .validation(Self.name(path), integerRule) }
    }

    /// An integer, or a number without a fractional part that an `Int64` holds exactly.
    static func integer(_ value: JSONValue) -> Int64? {
        switch value {
        case .integer(let number): number
        case .number(let number) where number.rounded() == number && abs(number) < 9e15: Int64(number)
        default: nil
        }
    }

    private var integerRule: String {
        switch (minimum, maximum) {
        case let (low?, high?): "must be an integer from \(low) to \(high)"
        case let (low?, nil): "must be an integer of at least \(low)"
        case let (nil, high?): "must be an integer of at most \(high)"
        case (nil, nil): "must be an integer"
        }
    }

    private func checkArray(_ value: JSONValue, at path: String) throws(HTTPError) {
        guard case .array(let elements) = value else { throw .validation(Self.name(path), "must be an array") }
        if let minItems, elements.count < minItems {
            throw .validation(Self.name(path), "must have at least \(minItems) entries")
        }
        if let maxItems, elements.count > maxItems {
            throw .validation(Self.name(path), "must have at most \(maxItems) entries")
        }
        guard let element = items.first else { return }
        for (index, item) in elements.enumerated() { try element.check(item, at: "\(path)[\(index)]") }
    }

    /// Checks an object's members against `properties`.
    static func checkObject(_ value: JSONValue, at path: String, _ properties: some Sequence<Property>,
                            additionalProperties: Bool) throws(HTTPError) {
        guard case .object(let members) = value else { throw .validation(name(path), "must be an object") }
        for property in properties {
            let field = member(property.key, of: path)
            guard let value = members[property.key] else {
                if property.required { throw .validation(field, "is required") }
                continue
            }
            try property.schema.check(value, at: field)
        }
        if !additionalProperties {
            for key in members.keys.sorted() where !properties.contains(where: { $0.key == key }) {
                throw .validation(member(key, of: path), "is not allowed")
            }
        }
    }

    /// A tagged union is checked by its tag; other alternatives until one fits.
    private func checkAlternatives(_ value: JSONValue, at path: String) throws(HTTPError) {
        if let tagKey {
            guard case .object(let members) = value else { throw .validation(Self.name(path), "must be an object") }
            let field = Self.member(tagKey, of: path)
            guard let tag = members[tagKey] else { throw .validation(field, "is required") }
            let tags = alternatives.compactMap { $0.properties.first?.schema.constant }
            guard case .string(let text) = tag, let index = tags.firstIndex(of: text) else {
                throw .validation(field, "must be one of \(tags.joined(separator: ", "))")
            }
            return try alternatives[index].check(value, at: path)
        }
        let fitting = alternatives.filter { $0.kind.admits(value) }
        guard !fitting.isEmpty else {
            let kinds = alternatives.map(\.kind.article)
            throw .validation(Self.name(path), "must be \(kinds.joined(separator: " or "))")
        }
        var first: HTTPError?
        for alternative in fitting {
            do throws(HTTPError) {
                return try alternative.check(value, at: path)
            } catch {
                first = first ?? error
            }
        }
        if let first { throw first }
    }

    /// The member every alternative fixes to a constant (`type`), when it is a tagged union.
    var tagKey: String? {
        let keys = alternatives.map { $0.properties.first.flatMap { $0.schema.constant == nil ? nil : $0.key } }
        guard let key = keys.first ?? nil, keys.allSatisfy({ $0 == key }) else { return nil }
        return key
    }
}

extension JSONSchema.Kind {
    /// Whether a value of this JSON type can be of this kind (an alternative worth trying).
    func admits(_ value: JSONValue) -> Bool {
        switch (self, value) {
        case (.any, _), (.oneOf, _), (.string, .string), (.boolean, .bool), (.array, .array), (.object, .object),
             (.number, .integer), (.number, .number), (.integer, .integer):
            true
        case (.integer, .number): JSONSchema.integer(value) != nil
        default: false
        }
    }

    var article: String {
        switch self {
        case .string: "a string"
        case .integer: "an integer"
        case .number: "a number"
        case .boolean: "a boolean"
        case .array: "an array"
        case .object: "an object"
        case .any, .oneOf: "a value"
        case .never: "nothing"
        }
    }
}
