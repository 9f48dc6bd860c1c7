import PluginKit
import Synchronization

/// A turn streamed to its HTTP client as Server-Sent Events (API.md's `text_delta`,
/// `reasoning_delta`, `tool_call_started`, `tool_call_completed`, `message`, then `done` or
/// `error`). A client slower than the turn gets its events buffered, up to
/// `maxPendingBytes`; past that, or once the client is gone, the stream is dropped — and the
/// turn goes on regardless: its messages are stored and published all the same.
final class EventStream: TurnSink {
    static let maxPendingBytes = 1 << 20

    private let response: DeferredResponse

    private struct State {
        var begun = false
        var gone = false
        /// The end is written once the pending events are.
        var ending = false
        var pending: [(event: String, data: String)] = []
        var pendingBytes = 0
        /// Set while the ended turn's last events wait for the client: nothing else holds
        /// the stream then, and the end must still be written.
        var keepAlive: EventStream?
    }

    private let state = Mutex(State())

    init(response: DeferredResponse) {
        self.response = response
        response.observe(onDrain: { [weak self] in self?.drain() }, onCancel: { [weak self] in
            // Released after the lock is: the stream may go with it.
            let released = self?.state.withLock { state -> EventStream? in
                state.gone = true
                defer { state.keepAlive = nil }
                return state.keepAlive
            }
            _ = released
        })
    }

    /// Sends the head now (events follow as the turn makes them).
    func open() {
        state.withLock { state in begin(&state) }
    }

    private func begin(_ state: inout State) {
        guard !state.begun else { return }
        state.begun = true
        if !response.beginEvents() { state.gone = true }  // the host adds Cache-Control: no-cache
    }

    private func send(_ event: String, _ data: JSONValue) {
        let text = data.jsonText
        state.withLock { state in
            // Nothing after the end: a group member that ran out of time may still be talking.
            guard !state.gone, !state.ending else { return }
            begin(&state)
            guard state.pending.isEmpty else { return queue(&state, event, text) }
            switch response.send(event: event, data: text) {
            case .sent: break
            case .busy: queue(&state, event, text)
            case .gone, .refused: state.gone = true
            }
        }
    }

    private func queue(_ state: inout State, _ event: String, _ text: String) {
        state.pending.append((event, text))
        state.pendingBytes += text.utf8.count + event.utf8.count
        if state.pendingBytes > Self.maxPendingBytes {
            state.gone = true
            state.pending = []
            response.abort()
        }
    }

    private func drain() {
        let released = state.withLock { state -> EventStream? in
            while !state.gone, let first = state.pending.first {
                switch response.send(event: first.event, data: first.data) {
                case .sent:
                    state.pending.removeFirst()
                    state.pendingBytes -= first.data.utf8.count + first.event.utf8.count
                case .busy:
                    return nil
                case .gone, .refused:
                    state.gone = true
                }
            }
            if state.ending, !state.gone { response.end() }
            defer { state.keepAlive = nil }
            return state.keepAlive
        }
        _ = released
    }

    /// The last event (`done`, or `error` when the turn failed), then the end of the stream.
    func finish(_ outcome: TurnRunner.Outcome) {
        if let error = outcome.error {
            finish(error)
        } else {
            finish(done: outcome.body)
        }
    }

    /// `done` with `body` (`{messages, usage}`), then the end of the stream.
    func finish(done body: JSONValue) {
        send("done", body)
        end()
    }

    /// `error` instead of `done`, then the end of the stream.
    func finish(_ error: HTTPError) {
        send("error", ["error": ["type": .string(error.type), "message": .string(error.message)]])
        end()
    }

    private func end() {
        state.withLock { state in
            state.ending = true
            if state.pending.isEmpty {
                if !state.gone { response.end() }
            } else if !state.gone {
                state.keepAlive = self
            }
        }
    }

    /// A group's member starts its turn (a coordinator streaming several agents).
    func agentStarted(agentID: String, agentName: String) {
        send("agent_started", ["agent_id": .string(agentID), "agent_name": .string(agentName)])
    }

    /// A group's member finished, its reply being `messageID`.
    func agentCompleted(agentID: String, messageID: String) {
        send("agent_completed", ["agent_id": .string(agentID), "message_id": .string(messageID)])
    }

    // MARK: TurnSink

    func textDelta(agentID: String, text: String) {
        send("text_delta", ["agent_id": .string(agentID), "text": .string(text)])
    }

    func reasoningDelta(agentID: String, text: String) {
        send("reasoning_delta", ["agent_id": .string(agentID), "text": .string(text)])
    }

    func toolCallStarted(agentID: String, call: ToolCall) {
        send("tool_call_started", ["agent_id": .string(agentID), "call_id": .string(call.id), "fn_name": .string(call.name),
                                   "args": call.argumentsJSON])
    }

    func toolCallCompleted(agentID: String, result: ToolResult) {
        send("tool_call_completed", ["agent_id": .string(agentID), "call_id": .string(result.callID),
                                     "result": .string(result.result), "is_error": .bool(result.isError)])
    }

    func messageStored(_ message: ChatMessage) {
        send("message", message.json)
    }
}
