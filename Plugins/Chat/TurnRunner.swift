import Foundation
import PluginKit
import Synchronization

/// One agent's turn, modelled on Pattern's loop: store the input, then call the model with
/// the context, store its reply, run its tool calls in order and store their results as one
/// `tool` message, and call again — until it answers without tools, calls `send_message`, or
/// `[chat] max_steps` model calls were made. The agent is `processing` meanwhile, `ready`
/// after, or in the error state naming the provider's failure (cleared by the next success).
///
/// The seam for group coordination: `run(_:sink:)` is one agent's turn on one input with the
/// group's id set, streaming its events into any sink, answering every message it stored.
/// Callers keep to one turn per agent at a time (`AgentTurnQueue`).
struct TurnRunner: Sendable {
    let agents: AgentDirectory
    let messages: MessageStore
    let providers: ModelProviders
    let tools: ToolBox
    let events: ChatEvents
    let config: ChatConfig

    struct Input: Sendable {
        var agentID: String
        var ownerID: String
        /// Stored first as the user's message; nil when the caller stored the input already
        /// (a group message, stored once for every member) and `history` holds it.
        var message: MessageContent?
        /// Set on every message the turn stores (`metadata.group_id` too).
        var groupID: String?
        /// Whose messages make the context: the agent's own, or its group's; nil for none (the
        /// `prompt` alone, e.g. a sleeptime review that carries its own transcript).
        var history: MessageStore.Scope?
        /// Read `history` only up to this message (its store order) and then this turn's own
        /// messages: members answering at once do not read each other's answers.
        var historyEnd: Int64?
        /// A user message put last in every model call of this turn, never stored: what a
        /// pipeline stage hands on, or a sleeptime review's instructions.
        var prompt: String?
        /// More members for the metadata of every message the turn stores (e.g. `pipeline_stage`).
        var metadata: [String: JSONValue] = [:]
        /// A final reply this judges true is not stored (a sleeptime review declining to post).
        var discardsReply: (@Sendable (String) -> Bool)?

        init(agentID: String, ownerID: String, message: MessageContent?, groupID: String? = nil,
             history: MessageStore.Scope? = nil, prompt: String? = nil) {
            self.agentID = agentID
            self.ownerID = ownerID
            self.message = message
            self.groupID = groupID
            self.history = history ?? groupID.map { .group($0) } ?? .agent(agentID)
            self.prompt = prompt
        }

        /// A turn with no history: the prompt alone.
        static func promptOnly(agentID: String, ownerID: String, groupID: String, prompt: String) -> Input {
            var input = Input(agentID: agentID, ownerID: ownerID, message: nil, groupID: groupID, prompt: prompt)
            input.history = nil
            return input
        }
    }

    struct Usage: Sendable {
        var input: Int64 = 0
        var output: Int64 = 0
        var model: String?

        var json: JSONValue {
            ["input_tokens": .integer(input), "output_tokens": .integer(output), "total_tokens": .integer(input + output),
             "model": .text(model)]
        }
    }

    struct Outcome: Sendable {
        /// Every message stored, in order (kept even when the turn failed later).
        var messages: [ChatMessage] = []
        var usage: Usage?
        /// Why the turn failed (API.md's status and type), nil when it succeeded.
        var error: HTTPError?

        /// The answer of `POST /chat/messages` and the SSE `done` event.
        var body: JSONValue { ["messages": .array(messages.map(\.json)), "usage": usage?.json ?? .null] }
    }

    func run(_ input: Input, sink: (any TurnSink)?) async -> Outcome {
        var outcome = Outcome()
        switch agents.setState(agentID: input.agentID, "processing") {
        case .done: break
        case .suspended:
            outcome.error = .conflict("The agent is suspended: set its state to ready to talk to it.")
            return outcome
        case .missing:
            outcome.error = .notFound("No agent with this id.")
            return outcome
        case .failed:
            outcome.error = HTTPError(status: 503, type: "service_unavailable", message: "The database is busy; retry shortly.")
            return outcome
        }
        events.typing(agentID: input.agentID, true)
        await loop(input, sink, &outcome)
        if !outcome.messages.isEmpty { agents.recordActivity(agentID: input.agentID, messages: outcome.messages.count) }
        if let error = outcome.error {
            let message = String(error.message.prefix(1000))
            agents.setState(agentID: input.agentID, ["error": ["kind": .string(error.type), "message": .string(message)]])
        } else {
            agents.setState(agentID: input.agentID, "ready")
        }
        events.typing(agentID: input.agentID, false)
        return outcome
    }

    private func loop(_ input: Input, _ sink: (any TurnSink)?, _ outcome: inout Outcome) async {
        do {
            if let content = input.message {
                try store(.user, content, input, sink, &outcome)
            }
            for _ in 1...config.maxSteps {
                guard let agent = try agents.agent(id: input.agentID, ownerID: input.ownerID) else {
                    throw HTTPError.notFound("No agent with this id.")
                }
                guard let provider = agent.modelProvider, !provider.isEmpty, let model = agent.modelID, !model.isEmpty else {
                    throw HTTPError.conflict("The agent has no model: set its model_provider (a provider id, "
                                             + "\"openai\" or \"anthropic\") and model_id.")
                }
                let completion = try await call(agent, provider: provider, model: model, input, sink, &outcome)
                let calls = completion.toolCalls
                var metadata = metadata(input)
                if let usage = completion.usage {
                    metadata["usage"] = ["input_tokens": .integer(usage.input), "output_tokens": .integer(usage.output),
                                         "model": .text(completion.model ?? model)]
                }
                if !(completion.reasoning ?? "").isEmpty { metadata["reasoning"] = .string(completion.reasoning ?? "") }
                if calls.isEmpty, input.discardsReply?(completion.content) == true { return }
                let content: MessageContent = calls.isEmpty || !completion.content.isEmpty
                    ? .text(completion.content) : .toolCalls(calls)
                try store(.assistant, content, input, sink, &outcome, toolCalls: calls.isEmpty ? nil : calls,
                          metadata: .object(metadata))
                if calls.isEmpty { return }
                var results: [ToolResult] = []
                var reply: String?
                for call in calls {
                    sink?.toolCallStarted(agentID: agent.id, call: call)
                    events.toolStarted(agentID: agent.id, call)
                    let result = await tools.run(call, agent: agent)
                    sink?.toolCallCompleted(agentID: agent.id, result: result)
                    events.toolCompleted(agentID: agent.id, result)
                    results.append(result)
                    if call.name == ToolBox.sendMessage, !result.isError, reply == nil {
                        reply = JSONValue(parsing: call.arguments)?["content"]?.stringValue
                    }
                }
                try store(.tool, .toolResponses(results), input, sink, &outcome, toolResults: results)
                if let reply, input.discardsReply?(reply) == true { return }
                if let reply {
                    // send_message is the agent's reply to the user: stored (and streamed) as one.
                    sink?.textDelta(agentID: agent.id, text: reply)
                    events.messageDelta(agentID: agent.id, text: reply)
                    var replyMetadata = self.metadata(input)
                    replyMetadata["via"] = .string(ToolBox.sendMessage)
                    try store(.assistant, .text(reply), input, sink, &outcome, metadata: .object(replyMetadata))
                    return
                }
            }
            // max_steps model calls made: the turn ends after the last tools' results.
        } catch let error as HTTPError {
            outcome.error = error
        } catch let failure as DatabaseFailure {
            outcome.error = .database(failure)
        } catch {
            outcome.error = HTTPError(status: 500, type: "internal_error", message: "The server failed to handle this request.")
        }
    }

    private func metadata(_ input: Input) -> [String: JSONValue] {
        var metadata = input.metadata
        if let groupID = input.groupID { metadata["group_id"] = .string(groupID) }
        return metadata
    }

    /// One model call with the context as it stands; streamed pieces go to the sink and the
    /// agent's subscribers as they come.
    private func call(_ agent: AgentRecord, provider: String, model: String, _ input: Input, _ sink: (any TurnSink)?,
                      _ outcome: inout Outcome) async throws -> ModelProviders.Completion {
        let definitions = tools.definitions(for: agent)
        let window = providers.contextLength(ownerID: agent.ownerID, provider: provider, model: model)
            ?? config.contextTokens
        let prompt: [JSONValue] = input.prompt.map { [["role": "user", "content": .string($0)]] } ?? []
        var context = try ContextBuilder.build(
            agent: agent, window: window,
            fixedCost: ContextBuilder.tokens(JSONValue.array(definitions).jsonText) + prompt.reduce(0) { $0 + ContextBuilder.cost($1) }
        ) { before in
            if let history = input.history, input.historyEnd == nil {
                return try messages.older(history, before: before, limit: ContextBuilder.historyPage)
            }
            // Bounded (or no) history: this turn's own messages first (its tool rounds, newest
            // first, numbered above any stored message), then the history up to its end.
            var page: [(seq: Int64, message: ChatMessage)] = []
            if before == nil {
                page = outcome.messages.enumerated().reversed().map { (Int64.max - Int64($0.offset), $0.element) }
            }
            guard let history = input.history, let end = input.historyEnd else { return page }
            let from = before.map { $0 > end ? end + 1 : $0 } ?? end + 1
            return try page + messages.older(history, before: from, limit: ContextBuilder.historyPage)
        }
        // Last, so that the model answers it (after this turn's tool results too).
        context += prompt
        var request: [String: JSONValue] = [
            "owner_id": .string(agent.ownerID), "model_provider": .string(provider), "model": .string(model),
            "messages": .array(context), "stream": true, "max_tokens": .integer(Int64(ContextBuilder.replyReserve(window: window))),
            "timeout_ms": .integer(Int64(config.modelTimeoutSeconds) * 1000),
        ]
        if !definitions.isEmpty {
            request["tools"] = .array(definitions)
            request["tool_choice"] = "auto"
        }
        var toolNames = ProviderToolNames()
        toolNames.encode(&request)
        let streamed = Mutex("")
        let agentID = agent.id
        let events = events
        let timeout = UInt64(config.modelTimeoutSeconds) * 1000
        let result = await providers.complete(.object(request), timeoutMilliseconds: timeout) { kind, text in
            if kind == "reasoning" {
                sink?.reasoningDelta(agentID: agentID, text: text)
            } else {
                streamed.withLock { $0 += text }
                sink?.textDelta(agentID: agentID, text: text)
                events.messageDelta(agentID: agentID, text: text)
            }
        }
        switch result {
        case .failure(let failure):
            throw failure.error
        case .success(var completion):
            completion.toolCalls = completion.toolCalls.map(toolNames.decode)
            // A provider that did not stream (or not all of it): the rest as one piece, so the
            // pieces always add up to the stored reply.
            let relayed = streamed.withLock { $0 }
            if completion.content.count > relayed.count, completion.content.hasPrefix(relayed) {
                let rest = String(completion.content.dropFirst(relayed.count))
                sink?.textDelta(agentID: agentID, text: rest)
                events.messageDelta(agentID: agentID, text: rest)
            }
            if let usage = completion.usage {
                var total = outcome.usage ?? Usage()
                total.input += usage.input
                total.output += usage.output
                total.model = completion.model ?? model
                outcome.usage = total
            }
            return completion
        }
    }

    private func store(_ role: ChatMessage.Role, _ content: MessageContent, _ input: Input, _ sink: (any TurnSink)?,
                       _ outcome: inout Outcome, toolCalls: [ToolCall]? = nil, toolResults: [ToolResult]? = nil,
                       metadata: JSONValue? = nil) throws {
        let message = ChatMessage(
            id: ResourceID.make("msg"), ownerID: input.ownerID, agentID: input.agentID, groupID: input.groupID,
            role: role, content: content, toolCalls: toolCalls, toolResults: toolResults,
            metadata: metadata ?? .object(self.metadata(input)), createdAt: Timestamp.rfc3339(Date()))
        try messages.insert(message)
        outcome.messages.append(message)
        sink?.messageStored(message)
        events.messageReceived(message)
    }
}
