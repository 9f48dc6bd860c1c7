import PluginKit

/// A tool call an assistant message made: `{id, name, arguments}` in API.md's MessageResponse
/// (`arguments` as the JSON the model wrote, or its text when it is not JSON).
struct ToolCall: Sendable, Equatable {
    var id: String
    var name: String
    /// The arguments as the model sent them: JSON text.
    var arguments: String

    var argumentsJSON: JSONValue { JSONValue(parsing: arguments) ?? .string(arguments) }

    var json: JSONValue { ["id": .string(id), "name": .string(name), "arguments": argumentsJSON] }

    /// As providers.v1 takes and gives it.
    var providerJSON: JSONValue { ["id": .string(id), "name": .string(name), "arguments": .string(arguments)] }

    init(id: String, name: String, arguments: String) {
        self.id = id
        self.name = name
        self.arguments = arguments
    }

    /// From a stored or provider-given `{id, name, arguments}` (arguments text or JSON).
    init?(_ value: JSONValue) {
        guard let id = value["id"]?.stringValue, let name = value["name"]?.stringValue else { return nil }
        self.id = id
        self.name = name
        switch value["arguments"] {
        case .string(let text)?: arguments = text
        case let other?: arguments = other.jsonText
        case nil: arguments = "{}"
        }
    }
}

/// One tool's result in a `tool` message: `{tool_call_id, result, is_error}`.
struct ToolResult: Sendable, Equatable {
    var callID: String
    var name: String
    var result: String
    var isError: Bool

    var json: JSONValue { ["tool_call_id": .string(callID), "result": .string(result), "is_error": .bool(isError)] }

    init(callID: String, name: String, result: String, isError: Bool) {
        self.callID = callID
        self.name = name
        self.result = result
        self.isError = isError
    }

    init?(_ value: JSONValue) {
        guard let id = value["tool_call_id"]?.stringValue else { return nil }
        callID = id
        name = value["name"]?.stringValue ?? ""
        result = value["result"]?.stringValue ?? ""
        isError = value["is_error"] == .bool(true)
    }

    /// As stored (the tool's name kept beside API.md's fields, for the context).
    var storedJSON: JSONValue {
        ["tool_call_id": .string(callID), "name": .string(name), "result": .string(result), "is_error": .bool(isError)]
    }
}
