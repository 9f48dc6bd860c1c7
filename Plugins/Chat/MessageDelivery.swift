import PluginKit

/// A user's message to one of their agents or groups, handed to the turn machinery: the one
/// path behind `POST /chat/messages` and the chat.v1 service's `send_message`. Nothing here
/// waits for a model: the turn runs on its own and reports its outcome through a callback.
struct MessageDelivery: Sendable {
    let agents: AgentDirectory
    let runner: TurnRunner
    let queue: AgentTurnQueue
    let groups: GroupChat

    /// Seconds a refused sender is told to wait.
    static let retryAfterSeconds = 5

    /// `{target, content, stream?}` of a send body (`stream` asks for Server-Sent Events).
    struct Message: JSONObject {
        var target = ""
        var content = MessageContent.text("")
        var stream = false

        static let fields: [JSONField<Self>] = [
            JSONField("target", \.target, required: true) { _ in ChatTarget.schema },
            JSONField("content", \.content, required: true),
            JSONField("stream", \.stream),
        ]
    }

    /// Starts the turn(s) answering `message`. Throws, having stored and started nothing, what
    /// is refused at once (an unknown target, a suspended agent, a full queue …); otherwise
    /// `finish` gets the outcome exactly once, later, from the turn's task. `stream`, when
    /// given, gets the turn's events and is opened once the message is accepted.
    func send(_ message: Message, ownerID owner: String, stream: EventStream?,
              finish: @escaping @Sendable (TurnRunner.Outcome) -> Void) throws(HTTPError) {
        let agent: AgentRecord
        switch try ChatTarget.resolve(message.target, ownerID: owner, agents: agents) {
        case .agent(let found): agent = found
        case .group(let id):
            return try groups.send(groupID: id, ownerID: owner, content: message.content, stream: stream, finish: finish)
        }
        guard !agent.isSuspended else {
            throw HTTPError.conflict("The agent is suspended: set its state to ready to talk to it.")
        }
        if let seconds = agent.cooldownSeconds() {
            throw HTTPError(status: 429, type: "rate_limit", message: "The agent is cooling down for \(seconds) more seconds.",
                            headers: [HTTPError.Header("Retry-After", String(seconds))])
        }
        let input = TurnRunner.Input(agentID: agent.id, ownerID: owner, message: message.content)
        let runner = runner
        let accepted = queue.submit(agentID: agent.id) {
            finish(await runner.run(input, sink: stream))
        }
        guard accepted else {
            throw HTTPError(
                status: 429, type: "rate_limit",
                message: "Too many messages are waiting for this agent (at most \(queue.maxWaiting)); retry shortly.",
                headers: [HTTPError.Header("Retry-After", String(Self.retryAfterSeconds))])
        }
        stream?.open()
    }
}
