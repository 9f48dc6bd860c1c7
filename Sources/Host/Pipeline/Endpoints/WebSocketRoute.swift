import PluginABI

/// A GET route that upgrades to WebSocket: the upgrade request passes the middleware phases
/// like any request (so authentication and rate limits apply), then this handler checks the
/// handshake and answers 101; the event loop switches protocols after writing it.
enum WebSocketRoute {
    static func make(path: String, plugin: String, flags: UInt32, permission: String?, endpoint: WebSocketEndpoint)
        -> Route
    {
        Route(method: "GET", template: path, plugin: plugin,
              handler: .builtIn { context in answerHandshake(context, endpoint) },
              flags: flags | UInt32(PATTERN_INLINE), permission: permission, openAPI: operation)
    }

    private static func answerHandshake(_ context: RequestContext, _ endpoint: WebSocketEndpoint) {
        do throws(WebSocketHandshake.Refusal) {
            let accept = try WebSocketHandshake.accept(context)
            context.response.status = 101
            context.response.addHeader("Upgrade", "websocket")
            context.response.addHeader("Connection", "Upgrade")
            context.response.addHeader("Sec-WebSocket-Accept", accept)
            context.upgrade = endpoint
        } catch {
            switch error {
            case .badRequest(let message):
                context.respondError(400, message)
            case .unsupportedVersion:
                context.respondError(426, "Only WebSocket version 13 is supported.", type: "bad_request")
                context.response.addHeader("Sec-WebSocket-Version", "13")
            }
        }
    }

    private static let operation = """
        {"summary":"WebSocket upgrade (RFC 6455)","responses":{"101":{"description":"Switching Protocols"},\
        "400":{"description":"Not a valid WebSocket upgrade"},"426":{"description":"Unsupported WebSocket version"}}}
        """
}
