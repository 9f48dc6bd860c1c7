import PluginKit

/// Builds the conversation a model call sends: the system prompt with the agent's core
/// memory blocks rendered under their labels, then as much recent history as fits the
/// model's context window minus a reserve for the reply, older history dropped first.
///
/// Token estimate (no tokenizer here): a text costs ceil(UTF-8 bytes / 4) tokens — about
/// right for English with BPE tokenizers and an overestimate for most code — and every
/// message costs `messageOverhead` more for its role and framing. Tool calls count their
/// name and argument text, and the tool schemas count their JSON text.
///
/// The system part and the newest message are always sent, even when they alone exceed the
/// window (the provider then reports the overflow); a window never starts with a tool result
/// whose call was dropped.
struct ContextBuilder: Sendable {
    static let messageOverhead = 4
    /// Tokens kept free for the reply: a quarter of the window, at most 1024.
    static func replyReserve(window: Int) -> Int { min(1024, window / 4) }
    /// History is read newest first, this many messages at a time, until the window is full.
    static let historyPage = 64
    /// Most history messages read for one context (a window of 10 million tokens would not
    /// read all of a long history either).
    static let maxHistoryMessages = 4096

    static func tokens(_ text: String) -> Int { (text.utf8.count + 3) / 4 }

    /// The system message: prompt, then each core memory block as `<label>…</label>`.
    static func systemText(_ agent: AgentRecord) -> String {
        var parts: [String] = []
        if let prompt = agent.systemPrompt, !prompt.isEmpty { parts.append(prompt) }
        if !agent.memory.isEmpty {
            let blocks = agent.memory.map { "<\($0.label)>\n\($0.content)\n</\($0.label)>" }
            let intro = agent.tools.contains("block_edit")
                ? "Your core memory, by block label (change it with block_edit):" : "Your core memory, by block label:"
            parts.append(intro + "\n" + blocks.joined(separator: "\n"))
        }
        return parts.joined(separator: "\n\n")
    }

    /// A stored message as providers.v1 messages (a `tool` message answers each call apart).
    /// In a group's history, other agents' replies are shown as user messages naming them, and
    /// their tool traffic is left out.
    static func providerMessages(_ message: ChatMessage, forAgent agentID: String) -> [JSONValue] {
        let own = message.agentID == agentID || message.groupID == nil
        switch message.role {
        case .system:
            return [["role": "system", "content": .string(message.content.text)]]
        case .user:
            return [["role": "user", "content": .string(message.content.text)]]
        case .assistant where !own:
            return [["role": "user", "content": .string("[\(message.agentID ?? "agent")] \(message.content.text)")]]
        case .assistant:
            var json: [String: JSONValue] = ["role": "assistant"]
            let calls = message.toolCalls ?? []
            // Real servers refuse a null content beside tool calls: always a string.
            json["content"] = .string(calls.isEmpty || message.content.tagged["Text"] != nil ? message.content.text : "")
            if !calls.isEmpty { json["tool_calls"] = .array(calls.map(\.providerJSON)) }
            return [.object(json)]
        case .tool where !own:
            return []
        case .tool:
            return (message.toolResults ?? []).map {
                ["role": "tool", "tool_call_id": .string($0.callID), "content": .string($0.result)]
            }
        }
    }

    static func cost(_ message: JSONValue) -> Int {
        var total = messageOverhead + tokens(message["content"]?.stringValue ?? "")
        for call in message["tool_calls"]?.arrayValue ?? [] {
            total += messageOverhead + tokens(call["name"]?.stringValue ?? "") + tokens(call["arguments"]?.stringValue ?? "")
        }
        return total
    }

    /// The messages for one call: system first, then the newest history that fits `window`
    /// tokens less the reply reserve and `fixedCost` (the tools' schemas). `older(before)`
    /// reads the next page of history, newest first (`before` nil: the newest).
    static func build(agent: AgentRecord, window: Int, fixedCost: Int,
                      older: (Int64?) throws -> [(seq: Int64, message: ChatMessage)]) rethrows -> [JSONValue] {
        let system = systemText(agent)
        var budget = window - replyReserve(window: window) - fixedCost
        var head: [JSONValue] = []
        if !system.isEmpty {
            let message: JSONValue = ["role": "system", "content": .string(system)]
            budget -= cost(message)
            head.append(message)
        }
        // Newest first: each stored message's provider messages go in whole or not at all.
        var kept: [[JSONValue]] = []
        var read = 0
        var before: Int64?
        reading: while read < maxHistoryMessages {
            let page = try older(before)
            for (seq, message) in page {
                before = seq
                read += 1
                let converted = providerMessages(message, forAgent: agent.id)
                if converted.isEmpty { continue }
                let price = converted.reduce(0) { $0 + cost($1) }
                if price > budget && !kept.isEmpty { break reading }
                budget -= price
                kept.append(converted)
            }
            if page.count < historyPage { break }
        }
        var tail = Array(kept.reversed().joined())
        // A tool result needs its call: drop results left at the start without one.
        while let first = tail.first, first["role"] == "tool" { tail.removeFirst() }
        return head + tail
    }
}
