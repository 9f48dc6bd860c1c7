import PluginKit

/// Anthropic Messages (`POST {base_url}/messages`): system prompt at the top level, tool calls
/// and results as `tool_use` / `tool_result` content blocks, `max_tokens` required, named
/// stream events.
enum AnthropicMessagesFormat {
    static let path = "/messages"
    static let defaultMaxTokens = 1024

    static func body(_ request: CompletionRequest) -> JSONValue {
        let system = request.messages.filter { $0.role == .system }.map(\.content).filter { !$0.isEmpty }
        var body: [String: JSONValue] = [
            "model": .string(request.model), "messages": .array(turns(request.messages)),
            "max_tokens": .integer(Int64(request.maxTokens ?? defaultMaxTokens)), "stream": .bool(request.stream),
        ]
        if !system.isEmpty { body["system"] = .string(system.joined(separator: "\n\n")) }
        if let temperature = request.temperature { body["temperature"] = .number(temperature) }
        if !request.tools.isEmpty {
            body["tools"] = .array(request.tools.map { tool in
                ["name": .string(tool.name), "description": .string(tool.description), "input_schema": tool.parameters]
            })
        }
        switch request.toolChoice {
        case nil: break
        case .auto?: body["tool_choice"] = ["type": "auto"]
        case .none?: body["tool_choice"] = ["type": "none"]
        case .required?: body["tool_choice"] = ["type": "any"]
        case .named(let name)?: body["tool_choice"] = ["type": "tool", "name": .string(name)]
        }
        return .object(body)
    }

    /// The conversation as alternating user/assistant turns: tool results are user turns, and
    /// consecutive messages of one side are merged into one turn (Anthropic refuses two in a row).
    private static func turns(_ messages: [CompletionRequest.Message]) -> [JSONValue] {
        var turns: [(role: String, blocks: [JSONValue])] = []
        for message in messages where message.role != .system {
            var blocks: [JSONValue] = []
            let role: String
            switch message.role {
            case .assistant:
                role = "assistant"
                if !message.content.isEmpty { blocks.append(["type": "text", "text": .string(message.content)]) }
                for call in message.toolCalls {
                    let input = JSONValue(parsing: Array(call.arguments.utf8)).flatMap { $0.objectValue.map(JSONValue.object) }
                        ?? [:]
                    blocks.append(["type": "tool_use", "id": .string(call.id), "name": .string(call.name), "input": input])
                }
            case .tool:
                role = "user"
                blocks.append(["type": "tool_result", "tool_use_id": .string(message.toolCallID ?? ""),
                               "content": .string(message.content)])
            default:
                role = "user"
                if !message.content.isEmpty { blocks.append(["type": "text", "text": .string(message.content)]) }
            }
            if blocks.isEmpty { continue } // Anthropic refuses empty turns and empty text blocks.
            if let last = turns.last, last.role == role {
                turns[turns.count - 1].blocks += blocks
            } else {
                turns.append((role, blocks))
            }
        }
        return turns.map { ["role": .string($0.role), "content": .array($0.blocks)] }
    }

    static func read(_ json: JSONValue, into reply: inout ReplyAssembler) -> Bool {
        guard json["type"]?.stringValue == "message", let blocks = json["content"]?.arrayValue else { return false }
        reply.model = json["model"]?.stringValue
        for block in blocks {
            switch block["type"]?.stringValue {
            case "text"?: _ = reply.text(block["text"]?.stringValue ?? "")
            case "thinking"?: _ = reply.thinking(block["thinking"]?.stringValue ?? "")
            case "tool_use"?:
                reply.toolCall(id: block["id"]?.stringValue, name: block["name"]?.stringValue ?? "",
                               arguments: (block["input"] ?? [:]).jsonText)
            default: break
            }
        }
        reply.finishReason = json["stop_reason"]?.stringValue
        readUsage(json["usage"], into: &reply)
        return true
    }

    static func read(event name: String, data: String, into reply: inout ReplyAssembler) -> StreamStep {
        guard let event = JSONValue(parsing: Array(data.utf8)) else { return .deltas([]) }
        switch event["type"]?.stringValue ?? name {
        case "message_start":
            reply.model = event["message"]?["model"]?.stringValue ?? reply.model
            readUsage(event["message"]?["usage"], into: &reply)
        case "content_block_start":
            let index = event["index"]?.intValue ?? 0
            let block = event["content_block"]
            switch block?["type"]?.stringValue {
            case "tool_use"?:
                reply.startToolCall(index: index, id: block?["id"]?.stringValue, name: block?["name"]?.stringValue)
            case "text"?:
                if let text = block?["text"]?.stringValue, let delta = reply.text(text) { return .deltas([delta]) }
            case "thinking"?:
                if let text = block?["thinking"]?.stringValue, let delta = reply.thinking(text) { return .deltas([delta]) }
            default: break
            }
        case "content_block_delta":
            let index = event["index"]?.intValue ?? 0
            let delta = event["delta"]
            switch delta?["type"]?.stringValue {
            case "text_delta"?:
                if let relayed = reply.text(delta?["text"]?.stringValue ?? "") { return .deltas([relayed]) }
            case "thinking_delta"?:
                if let relayed = reply.thinking(delta?["thinking"]?.stringValue ?? "") { return .deltas([relayed]) }
            case "input_json_delta"?:
                reply.appendArguments(index: index, delta?["partial_json"]?.stringValue ?? "")
            default: break
            }
        case "message_delta":
            if let reason = event["delta"]?["stop_reason"]?.stringValue { reply.finishReason = reason }
            readUsage(event["usage"], into: &reply)
        case "message_stop":
            reply.ended = true
        case "error":
            let type = event["error"]?["type"]?.stringValue ?? "error"
            let message = event["error"]?["message"]?.stringValue ?? "the provider reported an error mid-stream"
            return .failed("\(type): \(message)", retryable: type == "overloaded_error" || type == "api_error")
        default:
            break
        }
        return .deltas([])
    }

    private static func readUsage(_ usage: JSONValue?, into reply: inout ReplyAssembler) {
        guard let usage, !usage.isNull else { return }
        if let input = usage["input_tokens"]?.intValue { reply.inputTokens = input }
        if let output = usage["output_tokens"]?.intValue { reply.outputTokens = output }
    }
}
