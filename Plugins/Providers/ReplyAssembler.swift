import PluginKit

/// A model's reply put together from a whole response or from stream events: text, reasoning,
/// tool calls whose arguments arrive in fragments (concatenated per call, in order, however
/// the provider split them), the finish reason, usage. Bounded: a reply beyond the limits is
/// refused rather than grown.
struct ReplyAssembler: Sendable {
    private(set) var content = ""
    private(set) var reasoning = ""
    private(set) var sawReasoning = false
    private var calls: [PartialToolCall] = []
    /// Stream position (OpenAI `index`, Anthropic block index) → position in `calls`.
    private var callPositions: [Int: Int] = [:]
    var finishReason: String?
    var inputTokens: Int?
    var outputTokens: Int?
    var model: String?
    /// The stream said it is over (`[DONE]`, `message_stop`).
    var ended = false
    /// A limit was crossed; the reply is unusable.
    private(set) var overflowed = false
    private var bytes = 0

    static let maxBytes = 16 * 1024 * 1024
    static let maxToolCalls = 128

    /// A piece to relay to a streaming caller: kind "text" or "reasoning".
    struct Delta: Sendable, Equatable {
        var kind: String
        var text: String
    }

    private struct PartialToolCall: Sendable {
        var id: String
        var name: String
        var arguments: String
    }

    private mutating func count(_ text: String) -> Bool {
        bytes += text.utf8.count
        if bytes > Self.maxBytes { overflowed = true }
        return !overflowed
    }

    mutating func text(_ piece: String) -> Delta? {
        guard !piece.isEmpty, count(piece) else { return nil }
        content += piece
        return Delta(kind: "text", text: piece)
    }

    mutating func thinking(_ piece: String) -> Delta? {
        sawReasoning = true
        guard !piece.isEmpty, count(piece) else { return nil }
        reasoning += piece
        return Delta(kind: "reasoning", text: piece)
    }

    /// A tool call begins at `index` (a repeated start only fills in what was missing).
    mutating func startToolCall(index: Int, id: String?, name: String?) {
        if let position = callPositions[index] {
            if let id, !id.isEmpty, calls[position].id.isEmpty { calls[position].id = id }
            if let name, !name.isEmpty, calls[position].name.isEmpty { calls[position].name = name }
            return
        }
        guard calls.count < Self.maxToolCalls else {
            overflowed = true
            return
        }
        callPositions[index] = calls.count
        calls.append(PartialToolCall(id: id ?? "", name: name ?? "", arguments: ""))
    }

    mutating func appendArguments(index: Int, _ fragment: String) {
        if callPositions[index] == nil { startToolCall(index: index, id: nil, name: nil) }
        guard let position = callPositions[index], count(fragment) else { return }
        calls[position].arguments += fragment
    }

    /// A whole tool call (non-streamed replies).
    mutating func toolCall(id: String?, name: String, arguments: String) {
        let index = -1 - calls.count
        startToolCall(index: index, id: id, name: name)
        appendArguments(index: index, arguments)
    }

    var hasToolCalls: Bool { !calls.isEmpty }

    /// The service's result JSON.
    func result(providerID: String, requestedModel: String) -> JSONValue {
        let toolCalls: [JSONValue] = calls.enumerated().map { position, call in
            [
                "id": .string(call.id.isEmpty ? "call_\(position)" : call.id), "name": .string(call.name),
                "arguments": .string(call.arguments.isEmpty ? "{}" : call.arguments),
            ]
        }
        let usage: JSONValue = inputTokens == nil && outputTokens == nil ? .null : [
            "input_tokens": .integer(Int64(inputTokens ?? 0)), "output_tokens": .integer(Int64(outputTokens ?? 0)),
        ]
        return [
            "content": .string(content), "reasoning": sawReasoning || !reasoning.isEmpty ? .string(reasoning) : .null,
            "tool_calls": .array(toolCalls), "finish_reason": .string(Self.normalised(finishReason, toolCalls: !calls.isEmpty)),
            "usage": usage, "model": .string(model ?? requestedModel), "provider_id": .string(providerID),
        ]
    }

    /// One vocabulary for both formats: Anthropic's end_turn → stop, tool_use → tool_calls,
    /// max_tokens → length; OpenAI's legacy function_call → tool_calls; others as sent.
    static func normalised(_ reason: String?, toolCalls: Bool) -> String {
        switch reason {
        case nil, ""?: toolCalls ? "tool_calls" : "stop"
        case "end_turn"?, "stop_sequence"?, "stop"?: "stop"
        case "tool_use"?, "function_call"?, "tool_calls"?: "tool_calls"
        case "max_tokens"?, "length"?, "model_context_window_exceeded"?: "length"
        case "refusal"?: "content_filter"
        case let other?: other
        }
    }
}
