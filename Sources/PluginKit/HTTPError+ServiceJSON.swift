import PluginABI

/// An `HTTPError` crossing a named service: a service that runs a REST route's own code
/// refuses with the route's words, as `{"status", "type", "message", "fields"?}`, and its
/// caller (e.g. an MCP tool) can show them, field names included.
extension HTTPError {
    public var serviceJSON: JSONValue {
        var object: [String: JSONValue] = [
            "status": .integer(Int64(status)), "type": .string(type), "message": .string(message),
        ]
        if !fields.isEmpty {
            object["fields"] = .array(fields.map { ["field": .string($0.field), "message": .string($0.message)] })
        }
        return .object(object)
    }

    /// The error a service reported as `serviceJSON`; nil for anything else.
    public init?(serviceJSON json: JSONValue) {
        guard case .integer(let status)? = json["status"], let type = json["type"]?.stringValue,
              let message = json["message"]?.stringValue else { return nil }
        let fields = (json["fields"]?.arrayValue ?? []).compactMap { field -> FieldProblem? in
            guard let name = field["field"]?.stringValue, let text = field["message"]?.stringValue else { return nil }
            return FieldProblem(field: name, message: text)
        }
        self.init(status: Int(status), type: type, message: message, fields: fields)
    }

    /// The ABI status a service returns beside `serviceJSON`.
    public var serviceStatus: pattern_status {
        switch status {
        case 400, 422: PATTERN_INVALID
        case 404: PATTERN_NOT_FOUND
        case 409: PATTERN_CONFLICT
        case 429, 503: PATTERN_BUSY
        default: PATTERN_INTERNAL
        }
    }
}
