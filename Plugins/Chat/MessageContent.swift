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

    /// What a client sent as `content` (field `field`): a string or any of the tagged forms.
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
            case "ToolCalls":
                content = try toolCalls(body, field: "\(field).ToolCalls")
            case "ToolResponses":
                content = try toolResponses(body, field: "\(field).ToolResponses")
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
        .validation(field, #"must be a string, {"Text": "..."}, {"Parts": [...]}, {"ToolCalls": [...]} or {"ToolResponses": [...]}"#)
    }

    /// An item's text: an empty one says nothing (and one alone would leave the message empty).
    private static func nonEmpty(_ text: String, field: String) throws(HTTPError) -> String {
        guard !text.isEmpty else { throw .validation(field, "must not be empty") }
        return text
    }

    private static func items(_ body: JSONValue, field: String) throws(HTTPError) -> [JSONValue] {
        guard case .array(let items) = body, !items.isEmpty, items.count <= 64 else {
            throw .validation(field, "must be an array of 1 to 64 items")
        }
        return items
    }

    private static func toolCalls(_ body: JSONValue, field: String) throws(HTTPError) -> MessageContent {
        var calls: [ToolCall] = []
        for (index, item) in try items(body, field: field).enumerated() {
            let fields = try JSONFields(item, path: "\(field)[\(index)]")
            let id = try fields.requiredString("call_id")
            let name = try fields.requiredString("fn_name")
            let arguments = fields.value("fn_arguments") ?? [:]
            calls.append(ToolCall(id: id, name: name, arguments: arguments.stringValue ?? arguments.jsonText))
        }
        return MessageContent(tagged: ["ToolCalls": body], text: toolCalls(calls).text)
    }

    private static func toolResponses(_ body: JSONValue, field: String) throws(HTTPError) -> MessageContent {
        var texts: [String] = []
        for (index, item) in try items(body, field: field).enumerated() {
            let fields = try JSONFields(item, path: "\(field)[\(index)]")
            _ = try fields.requiredString("call_id")
            texts.append(try nonEmpty(fields.requiredString("content"), field: fields.field("content")))
            _ = try fields.bool("is_error")
        }
        return MessageContent(tagged: ["ToolResponses": body], text: texts.joined(separator: "\n"))
    }

    private static func parts(_ body: JSONValue, field: String) throws(HTTPError) -> MessageContent {
        var texts: [String] = []
        for (index, item) in try items(body, field: field).enumerated() {
            let path = "\(field)[\(index)]"
            guard case .object(let members) = item, members.count == 1 else {
                throw .validation(path, #"must be {"Text": "..."} or {"Image": {...}}"#)
            }
            let (tag, part) = members.first!
            switch tag {
            case "Text":
                guard case .string(let text) = part else { throw .validation("\(path).Text", "must be a string") }
                texts.append(try nonEmpty(text, field: "\(path).Text"))
            case "Image":
                try checkImage(part, path: "\(path).Image")
                texts.append("[image]")
            default:
                throw .validation(path, #"must be {"Text": "..."} or {"Image": {...}}"#)
            }
        }
        return MessageContent(tagged: ["Parts": body], text: texts.joined(separator: "\n"))
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

/// Checked by `parse`, which names the field at fault.
extension MessageContent: SchemaValue {
    /// `{tag: body}` and nothing else.
    private static func tagged(_ tag: String, _ body: JSONSchema) -> JSONSchema {
        JSONSchema.object([.property(tag, body)]).closed()
    }

    private static func list(_ item: JSONSchema) -> JSONSchema { .array(item).itemCount(1...64) }

    private static let image = JSONSchema.object([
        .property("content_type", .string),
        .property("source", .oneOf([tagged("Url", .string), tagged("Base64", .string)])),
    ])

    static let schema = JSONSchema.oneOf([
        JSONSchema.string.nonEmpty(),
        tagged("Text", JSONSchema.string.nonEmpty()),
        tagged("Parts", list(.oneOf([tagged("Text", JSONSchema.string.nonEmpty()), tagged("Image", image)]))),
        tagged("ToolCalls", list(.object([
            .property("call_id", .string), .property("fn_name", .string), .property("fn_arguments", .any, required: false),
        ]))),
        tagged("ToolResponses", list(.object([
            .property("call_id", .string), .property("content", JSONSchema.string.nonEmpty()), .property("is_error", JSONSchema.boolean.orNull(), required: false),
        ]))),
    ]).describe(
        #"A plain string, or Pattern's tagged form: {"Text"}, {"Parts"}, {"ToolCalls"} or {"ToolResponses"} (answers are always tagged)"#
    ).checked { value, path throws(HTTPError) in _ = try parse(value, field: path) }

    init(checked json: JSONValue) { self = (try? Self.parse(json)) ?? .text("") }

    var json: JSONValue { tagged }
}
