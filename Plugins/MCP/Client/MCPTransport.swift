import PluginKit

/// A way to exchange JSON-RPC messages with one server: a stdio child or a Streamable HTTP
/// endpoint. Made fresh for every connection attempt; it reports through `MCPTransportEvents`
/// on worker threads and never blocks a caller.
protocol MCPTransport: Sendable {
    /// Starts the exchange (spawns the child); throws why it cannot.
    func open() throws(MCPConnectionError)
    /// Sends one message; a request that cannot be delivered or answered is reported through
    /// `requestFailed`.
    func send(_ message: JSONRPCMessage)
    /// The revision the server agreed to in `initialize` (HTTP sends it on every later request).
    func negotiated(protocolVersion: String)
    /// The handshake is done: start taking the messages a server sends on its own (HTTP: the
    /// GET stream, where the server offers one; stdio needs nothing more).
    func listen()
    /// The answer to request `id` is no longer awaited (it timed out or was cancelled).
    func abandon(_ id: JSONRPCID)
    /// Ends the exchange for good (closes stdin then terminates; ends the HTTP session).
    func close()
}

/// What a transport reports to its connection, each call bound to one connection attempt.
struct MCPTransportEvents: Sendable {
    /// A whole message from the server.
    var received: @Sendable (JSONRPCMessage) -> Void
    /// Request `id` will get no answer through this transport (too large, HTTP failure ...).
    var requestFailed: @Sendable (JSONRPCID, MCPCallError) -> Void
    /// The transport is gone (the child exited, the HTTP session expired): reconnect.
    var closed: @Sendable (String) -> Void
}
