import PluginKit

/// `POST /api/v1/chat/messages`: a message to one of the caller's agents, answered when the
/// agent's turn is over (or streamed as Server-Sent Events). The handler only checks and
/// queues: the turn runs on its own, so no worker waits for the model.
struct ChatRoutes: Sendable {
    let delivery: MessageDelivery

    private static let turn = JSONSchema.object([
        .property("messages", .array(ChatMessage.schema)),
        .property("usage", JSONSchema.object([
            .property("input_tokens", .integer, required: false), .property("output_tokens", .integer, required: false),
            .property("total_tokens", .integer, required: false),
            .property("model", JSONSchema.string.orNull(), required: false),
        ]).orNull()),
    ])

    func register(_ host: PluginHost) throws {
        try host.route(.post, "/api/v1/chat/messages", permission: "send_messages",
                       summary: "Send a message to an agent or a group", description: Self.sendDescription,
                       body: MessageDelivery.Message.self,
                       responds: [200: .json(Self.turn, "Every message the turn stored, and the tokens it used "
                           + "(with stream: an SSE stream ending in a done event carrying this body)").orEventStream()],
                       errors: [
                           404: "No agent or group of yours has this id or name",
                           409: "The agent is suspended or has no usable provider; the group cannot answer",
                           502: "provider_error", 503: "service_unavailable",
                           504: "provider_timeout, or a pipeline stage timed out",
                       ]) { try send($0, $1) }
    }

    private static let sendDescription = """
        target: an agent id, a group id or the name of one of your agents. The answer lists every message the \
        turn stored, the user's first. With "stream": true or Accept: text/event-stream the answer is an SSE \
        stream of text_delta, reasoning_delta, tool_call_started, tool_call_completed and message events, then \
        done (this body) or error. One turn at a time per agent; [chat] max_queued_per_agent may wait (429 beyond). \
        Provider failures: 502 provider_error, 503 service_unavailable, 504 provider_timeout, 409 when the agent \
        has no usable provider. A group message is stored once (agent_id null) and routed by the group's \
        coordination pattern; every member's output carries metadata.group_id, and the stream adds \
        agent_started / agent_completed around each member's events. 409 when the group is inactive, nobody can \
        answer, or the groups plugin is not loaded; 504 gateway_timeout when a pipeline stage times out and aborts.
        """

    private func send(_ request: Request, _ message: MessageDelivery.Message) throws -> Response {
        let owner = try request.callerID()
        let streamed = message.stream || (request.header("accept")?.lowercased().contains("text/event-stream") ?? false)
        let response = try request.deferResponse()
        let stream = streamed ? EventStream(response: response) : nil
        do {
            try delivery.send(message, ownerID: owner, stream: stream) { outcome in
                if let stream {
                    stream.finish(outcome)
                } else if let error = outcome.error {
                    response.finish(error)
                } else {
                    response.finish(.jsonValue(outcome.body))
                }
            }
        } catch {
            response.finish(error)
        }
        return .deferred
    }
}
