import PluginKit

/// A "providers.v1" completion request (pattern_providers_service.h): the conversation in the
/// neutral shape both wire formats are built from.
struct CompletionRequest: Sendable {
    var ownerID: String
    /// A provider id (`prov_…`) or a kind meaning the owner's default of that kind.
    var modelProvider: String
    var model: String
    var messages: [Message]
    var tools: [Tool]
    var toolChoice: ToolChoice?
    var maxTokens: Int?
    var temperature: Double?
    var stream: Bool
    var timeoutMilliseconds: UInt64

    struct Message: Sendable {
        enum Role: String, Sendable { case system, user, assistant, tool }
        var role: Role
        var content: String
        var toolCalls: [ToolCall]
        var toolCallID: String?
    }

    struct ToolCall: Sendable {
        var id: String
        var name: String
        /// JSON text, as the model wrote it.
        var arguments: String
    }

    struct Tool: Sendable {
        var name: String
        var description: String
        var parameters: JSONValue
    }

    enum ToolChoice: Sendable, Equatable {
        case auto, none, required
        case named(String)
    }

    static let defaultTimeoutMilliseconds: UInt64 = 300_000
    /// Bounds on what one request may carry.
    static let maxMessages = 10_000
    static let maxTools = 256

    /// Nil when the JSON is malformed: the service answers PATTERN_INVALID.
    init?(json bytes: [UInt8]) {
        guard let json = JSONValue(parsing: bytes), let owner = json["owner_id"]?.stringValue, !owner.isEmpty,
              let provider = json["model_provider"]?.stringValue, !provider.isEmpty,
              let model = json["model"]?.stringValue, !model.isEmpty,
              let messages = json["messages"]?.arrayValue, messages.count <= Self.maxMessages
        else { return nil }
        ownerID = owner
        modelProvider = provider
        self.model = model
        var parsed: [Message] = []
        for message in messages {
            guard let role = message["role"]?.stringValue.flatMap(Message.Role.init(rawValue:)) else { return nil }
            let content: String
            switch message["content"] {
            case .string(let text)?: content = text
            case .null?, nil: content = ""
            default: return nil
            }
            var calls: [ToolCall] = []
            for call in message["tool_calls"]?.arrayValue ?? [] {
                guard let id = call["id"]?.stringValue, let name = call["name"]?.stringValue else { return nil }
                let arguments = call["arguments"]?.stringValue ?? call["arguments"].map { $0.isNull ? "{}" : $0.jsonText } ?? "{}"
                calls.append(ToolCall(id: id, name: name, arguments: arguments))
            }
            parsed.append(Message(role: role, content: content, toolCalls: calls,
                                  toolCallID: message["tool_call_id"]?.stringValue))
        }
        self.messages = parsed
        var tools: [Tool] = []
        for tool in json["tools"]?.arrayValue ?? [] {
            guard let name = tool["name"]?.stringValue, tools.count < Self.maxTools else { return nil }
            tools.append(Tool(name: name, description: tool["description"]?.stringValue ?? "",
                              parameters: tool["parameters"] ?? ["type": "object", "properties": [:]]))
        }
        self.tools = tools
        switch json["tool_choice"] {
        case nil, .null?: toolChoice = nil
        case .string("auto")?: toolChoice = .auto
        case .string("none")?: toolChoice = ToolChoice.none
        case .string("required")?: toolChoice = .required
        case .object(let named)?:
            guard let name = named["name"]?.stringValue else { return nil }
            toolChoice = .named(name)
        default: return nil
        }
        maxTokens = json["max_tokens"]?.intValue.flatMap { $0 > 0 ? $0 : nil }
        temperature = json["temperature"]?.doubleValue
        stream = json["stream"] == .bool(true)
        let timeout = json["timeout_ms"]?.intValue ?? 0
        timeoutMilliseconds = timeout > 0 ? UInt64(timeout) : Self.defaultTimeoutMilliseconds
    }
}
