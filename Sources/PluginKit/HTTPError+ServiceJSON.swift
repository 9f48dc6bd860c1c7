import PatternText
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

extension ServiceJSON {
    /// A provider's side of a slot that runs a REST route's code: `receive` (when given) gets
    /// the route's answer, or its refusal as `serviceJSON`, and the matching status returns.
    public static func answer(_ receive: Callback?, _ userdata: UnsafeMutableRawPointer?,
                              _ body: () throws(HTTPError) -> JSONValue) -> pattern_status {
        let (status, json): (pattern_status, JSONValue)
        do {
            (status, json) = (PATTERN_OK, try body())
        } catch {
            (status, json) = (error.serviceStatus, error.serviceJSON)
        }
        if let receive { withABIBytes(json.jsonBytes) { receive($0, userdata) } }
        return status
    }
}
