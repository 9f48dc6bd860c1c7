import PluginKit

/// `POST /api/v1/chat/messages`: a message to one of the caller's agents, answered when the
/// agent's turn is over (or streamed as Server-Sent Events). The handler only checks and
/// queues: the turn runs on its own, so no worker waits for the model.
struct ChatRoutes: Sendable {
    let agents: AgentDirectory
    let runner: TurnRunner
    let queue: AgentTurnQueue
    let groups: GroupChat

    /// Seconds a refused sender is told to wait.
    static let retryAfterSeconds = 5

    func register(_ host: PluginHost) throws {
        try host.route(.post, "/api/v1/chat/messages", permission: "send_messages", openAPI: ChatOpenAPI.send) {
            try send($0)
        }
    }

    func send(_ request: Request) throws -> Response {
        let owner = try request.callerID()
        let fields = try JSONFields(request.jsonBody())
        let target = try fields.requiredString("target")
        guard let raw = fields.value("content") else {
            throw HTTPError.validation("content", fields.has("content") ? "must not be null" : "is required")
        }
        let content = try MessageContent.parse(raw)
        let streamed = try fields.bool("stream") ?? false
            || (request.header("accept")?.lowercased().contains("text/event-stream") ?? false)
        let agent: AgentRecord
        switch try ChatTarget.resolve(target, ownerID: owner, agents: agents) {
        case .agent(let found): agent = found
        case .group(let id):
            return try groups.send(groupID: id, ownerID: owner, content: content, streamed: streamed, request: request)
        }
        guard !agent.isSuspended else {
            throw HTTPError.conflict("The agent is suspended: set its state to ready to talk to it.")
        }
        if let seconds = agent.cooldownSeconds() {
            throw HTTPError(status: 429, type: "rate_limit", message: "The agent is cooling down for \(seconds) more seconds.",
                            headers: [HTTPError.Header("Retry-After", String(seconds))])
        }
        let response = try request.deferResponse()
        let input = TurnRunner.Input(agentID: agent.id, ownerID: owner, message: content)
        let runner = runner
        let accepted: Bool
        if streamed {
            let stream = EventStream(response: response)
            accepted = queue.submit(agentID: agent.id) {
                stream.finish(await runner.run(input, sink: stream))
            }
            if accepted { stream.open() }
        } else {
            accepted = queue.submit(agentID: agent.id) {
                let outcome = await runner.run(input, sink: nil)
                if let error = outcome.error {
                    response.finish(error)
                } else {
                    response.finish(.jsonValue(outcome.body))
                }
            }
        }
        if !accepted {
            response.finish(HTTPError(
                status: 429, type: "rate_limit",
                message: "Too many messages are waiting for this agent (at most \(queue.maxWaiting)); retry shortly.",
                headers: [HTTPError.Header("Retry-After", String(Self.retryAfterSeconds))]))
        }
        return .deferred
    }
}
