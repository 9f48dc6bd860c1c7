import PatternText

/// The schema as JSON Schema 2020-12 (OpenAPI 3.1's dialect). A named schema renders as a
/// `$ref` and lands once in `components`, which the host hoists into the document's
/// `components.schemas`.
extension JSONSchema {
    public func rendered(into components: inout [String: JSONValue]) -> JSONValue {
        guard let name else { return body(into: &components) }
        if components[name] == nil {
            components[name] = .null  // reserved first, so a recursive schema stops here
            var unnamed = self
            unnamed.name = nil
            unnamed.nullable = false
            components[name] = unnamed.body(into: &components)
        }
        let reference: JSONValue = ["$ref": .string("#/components/schemas/\(name)")]
        return nullable ? ["oneOf": [reference, ["type": "null"]]] : reference
    }

    /// The schema on its own, named schemas inlined (an MCP tool's `inputSchema`).
    public var standalone: JSONValue {
        var unnamed = self
        unnamed.name = nil
        var components: [String: JSONValue] = [:]
        return unnamed.body(into: &components)
    }

    private func body(into components: inout [String: JSONValue]) -> JSONValue {
        var schema: [String: JSONValue] = [:]
        switch kind {
        case .any: break
        case .oneOf:
            var choices = alternatives.map { $0.rendered(into: &components) }
            if nullable { choices.append(["type": "null"]) }
            schema["oneOf"] = .array(choices)
        case .never: schema["not"] = .object([:])
        default:
            schema["type"] = nullable ? [.string(kind.rawValue), "null"] : .string(kind.rawValue)
        }
        if let summary { schema["description"] = .string(summary) }
        if let format { schema["format"] = .string(format) }
        if let minLength { schema["minLength"] = .integer(Int64(minLength)) }
        if let maxLength { schema["maxLength"] = .integer(Int64(maxLength)) }
        if let pattern = pattern ?? textPattern { schema["pattern"] = .string(pattern) }
        if let enumeration { schema["enum"] = .array(enumeration.map { .string($0) }) }
        if let constant { schema["const"] = .string(constant) }
        if let minimum { schema["minimum"] = .integer(minimum) }
        if let maximum { schema["maximum"] = .integer(maximum) }
        if let defaultValue { schema["default"] = defaultValue }
        if let item = items.first { schema["items"] = item.rendered(into: &components) }
        if let minItems { schema["minItems"] = .integer(Int64(minItems)) }
        if let maxItems { schema["maxItems"] = .integer(Int64(maxItems)) }
        if kind == .object {
            if !properties.isEmpty {
                var rendered: [String: JSONValue] = [:]
                for property in properties { rendered[property.key] = property.schema.rendered(into: &components) }
                schema["properties"] = .object(rendered)
                let required = properties.filter(\.required).map { JSONValue.string($0.key) }
                if !required.isEmpty { schema["required"] = .array(required) }
            }
            schema["additionalProperties"] = .bool(additionalProperties)
        }
        return .object(schema)
    }

    /// `printable` and `notBlank` as the ECMA-262 pattern a client can check.
    private var textPattern: String? {
        let control = refusesC1ControlCharacters ? #"\u0000-\u001F\u007F-\u009F"# : #"\u0000-\u001F\u007F"#
        switch (refusesControlCharacters, refusesBlank) {
        case (true, true): return "^[^\(control)]*[^\\s\(control)][^\(control)]*$"
        case (true, false): return "^[^\(control)]*$"
        case (false, true): return #"\S"#
        case (false, false): return nil
        }
    }
}
