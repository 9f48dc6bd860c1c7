import PluginKit

/// Why a request to a server got no result: each maps to a clear HTTP answer and a tool
/// result the model can read.
enum MCPCallError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The server answered with a JSON-RPC error.
    case server(JSONRPCError)
    /// No answer within the time allowed (the request was cancelled with the server).
    case timeout(seconds: Int)
    /// The server's answer is larger than `[mcp] max_message_bytes`.
    case tooLarge(limit: Int)
    /// The server is not connected (or the connection ended while the request waited).
    case unavailable(String)
    /// `[mcp] max_concurrent_calls` calls to this server are in flight.
    case busy(limit: Int)
    /// The outbound policy refused the server's address (nothing was sent).
    case refused(String)
    /// The server answered something that is not what the protocol says.
    case malformed(String)

    var description: String {
        switch self {
        case .server(let error): "the MCP server answered with error \(error.code): \(String(error.message.prefix(500)))"
        case .timeout(let seconds): "the MCP server did not answer within \(seconds) s"
        case .tooLarge(let limit): "the MCP server's answer is larger than the limit of \(limit) bytes"
        case .unavailable(let why): "the MCP server is not available: \(why)"
        case .busy(let limit): "\(limit) calls to this MCP server are already in flight; retry shortly"
        case .malformed(let why): "the MCP server's answer is malformed: \(why)"
        case .refused(let why): "refused by the server's outbound policy: \(why)"
        }
    }

    /// The REST answer for a failed `tools/.../call`.
    var httpError: HTTPError {
        let message = description.prefix(1).uppercased() + description.dropFirst() + "."
        return switch self {
        case .server, .tooLarge, .malformed: HTTPError(status: 502, type: "provider_error", message: message)
        case .timeout: HTTPError(status: 504, type: "gateway_timeout", message: message)
        case .unavailable, .refused: HTTPError(status: 503, type: "service_unavailable", message: message)
        case .busy: HTTPError(status: 429, type: "rate_limit", message: message, headers: [.init("Retry-After", "1")])
        }
    }
}
