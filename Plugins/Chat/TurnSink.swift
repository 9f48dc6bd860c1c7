import PluginKit

/// Where a turn reports as it goes, for whoever started it (the SSE stream of
/// `POST /chat/messages`; a group coordinator relaying several agents). Called from the
/// turn's task, in order, never concurrently for one turn; each call must return quickly.
/// The WebSocket events are published by the turn itself, whatever the sink.
protocol TurnSink: Sendable {
    /// A piece of an agent's reply as the model streams it.
    func textDelta(agentID: String, text: String)
    func reasoningDelta(agentID: String, text: String)
    func toolCallStarted(agentID: String, call: ToolCall)
    func toolCallCompleted(agentID: String, result: ToolResult)
    /// A message was stored (the user's first, then the agent's in order).
    func messageStored(_ message: ChatMessage)
}
