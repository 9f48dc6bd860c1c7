import PluginKit

/// A message's `content` in Pattern's externally tagged form: `{"Text": …}`, `{"Parts": […]}`,
/// `{"ToolCalls": […]}` or `{"ToolResponses": […]}`. Clients may send a plain string (read as
/// `Text`); answers are always tagged.
struct MessageContent: Sendable, Equatable {
    /// The tagged JSON, as answered.
    let tagged: JSONValue
    /// The text a model reads and the search index holds: Text itself, the Parts' texts (an
    /// image is `[image]`: providers.v1 carries text only), tool calls and responses as lines.
    let text: String

    /// Most bytes of text one message may carry.
    static let maxTextBytes = 256 * 1024

    static func text(_ text: String) -> MessageContent {
        MessageContent(tagged: ["Text": .string(text)], text: text)
    }

    static func toolCalls(_ calls: [ToolCall]) -> MessageContent {
        MessageContent(
            tagged: ["ToolCalls": .array(calls.map {
                ["call_id": .string($0.id), "fn_name": .string($0.name), "fn_arguments": $0.argumentsJSON]
            })],
            text: calls.map { "\($0.name)(\($0.arguments))" }.joined(separator: "\n"))
    }

    static func toolResponses(_ results: [ToolResult]) -> MessageContent {
        MessageContent(
            tagged: ["ToolResponses": .array(results.map {
                ["call_id": .string($0.callID), "content": .string($0.result), "is_error": .bool($0.isError)]
            })],
            text: results.map(\.result).joined(separator: "\n"))
    }

    /// What a client sent as `content` (field `field`): a string, `{"Text"}` or `{"Parts"}`.
    /// Tool calls and responses are the agents' to write, never a sender's.
    static func parse(_ value: JSONValue, field: String = "content") throws(HTTPError) -> MessageContent {
        let content: MessageContent
        switch value {
        case .string(let text):
            content = .text(text)
        case .object(let members) where members.count == 1:
            let (tag, body) = members.first!
            switch tag {
            case "Text":
                guard case .string(let text) = body else { throw .validation("\(field).Text", "must be a string") }
                content = .text(text)
            case "Parts":
                content = try parts(body, field: "\(field).Parts")
            default:
                throw invalid(field)
            }
        default:
            throw invalid(field)
        }
        guard !content.text.isEmpty else { throw .validation(field, "must not be empty") }
        guard content.text.utf8.count <= maxTextBytes else {
            throw .validation(field, "must be at most \(maxTextBytes) bytes of text")
        }
        return content
    }

    private static func invalid(_ field: String) -> HTTPError {
        .validation(field, #"must be a string, {"Text": "..."} or {"Parts": [...]}"#)
    }

    private static func parts(_ body: JSONValue, field: String) throws(HTTPError) -> MessageContent {
        guard case .array(let items) = body, !items.isEmpty, items.count <= 64 else {
            throw .validation(field, "must be an array of 1 to 64 parts")
        }
        var texts: [String] = []
        for (index, item) in items.enumerated() {
            let path = "\(field)[\(index)]"
            guard case .object(let members) = item, members.count == 1 else {
                throw .validation(path, #"must be {"Text": "..."} or {"Image": {...}}"#)
            }
            let (tag, part) = members.first!
            switch tag {
            case "Text":
                guard case .string(let text) = part else { throw .validation("\(path).Text", "must be a string") }
                texts.append(text)
            case "Image":
                try checkImage(part, path: "\(path).Image")
                texts.append("[image]")
            default:
                throw .validation(path, #"must be {"Text": "..."} or {"Image": {...}}"#)
            }
        }
        return MessageContent(tagged: ["Parts": .array(items)], text: texts.joined(separator: "\n"))
    }

    private static func checkImage(_ image: JSONValue, path: String) throws(HTTPError) {
        let fields = try JSONFields(image, path: path)
        _ = try fields.requiredString("content_type")
        let source = try fields.requiredObject("source")
        let kinds = source.members.keys.filter { $0 == "Url" || $0 == "Base64" }
        guard source.members.count == 1, let kind = kinds.first else {
            throw .validation(source.path, #"must be {"Url": "..."} or {"Base64": "..."}"#)
        }
        _ = try source.requiredString(kind)
    }
}
