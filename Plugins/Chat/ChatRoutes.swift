import PluginKit

/// `POST /api/v1/chat/messages`: a message to one of the caller's agents, answered when the
/// agent's turn is over (or streamed as Server-Sent Events). The handler only checks and
/// queues: the turn runs on its own, so no worker waits for the model.
struct ChatRoutes: Sendable {
    let delivery: MessageDelivery

    func register(_ host: PluginHost) throws {
        try host.route(.post, "/api/v1/chat/messages", permission: "send_messages", openAPI: ChatOpenAPI.send) {
            try send($0)
        }
    }

    func send(_ request: Request) throws -> Response {
        let owner = try request.callerID()
        let fields = try JSONFields(request.jsonBody())
        let message = try MessageDelivery.Message(fields)
        let streamed = try fields.bool("stream") ?? false
            || (request.header("accept")?.lowercased().contains("text/event-stream") ?? false)
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
