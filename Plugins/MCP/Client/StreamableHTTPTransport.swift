import PluginKit
import Synchronization

/// A Streamable HTTP server through the host's outbound client (and so its SSRF policy): one
/// POST per message with `Accept: application/json, text/event-stream`, the answer read as JSON
/// or as server-sent events; `Mcp-Session-Id` from the initialize answer sent back on every
/// later request, with `MCP-Protocol-Version`; a 404 for the session ends this transport so the
/// connection initialises a new one; the GET stream for what the server sends on its own
/// (tools/list_changed) where it offers one; DELETE ends the session on close.
final class StreamableHTTPTransport: MCPTransport {
    private let client: HTTPClient
    private let url: String
    private let headers: [(name: String, value: String)]
    private let maxMessageBytes: Int
    private let timeoutMilliseconds: UInt32
    private let events: MCPTransportEvents
    private let state = Mutex(State())

    private struct State {
        var sessionID: String?
        var protocolVersion: String?
        /// The POSTs whose answers are awaited, by the request they carry.
        var calls: [JSONRPCID: HTTPClient.Call] = [:]
        /// The GET stream, while it is open.
        var stream: HTTPClient.Call?
        var closed = false
    }

    /// Headers of the protocol's own, which a registration may not set.
    static let reservedHeaders: Set<String> = ["accept", "content-type", "mcp-session-id", "mcp-protocol-version",
                                               "last-event-id"]

    init(client: HTTPClient, url: String, headers: [(name: String, value: String)], maxMessageBytes: Int,
         timeoutMilliseconds: UInt32, events: MCPTransportEvents) {
        self.client = client
        self.url = url
        self.headers = headers
        self.maxMessageBytes = maxMessageBytes
        self.timeoutMilliseconds = timeoutMilliseconds
        self.events = events
    }

    func open() throws(MCPConnectionError) {}

    func negotiated(protocolVersion: String) {
        state.withLock { $0.protocolVersion = protocolVersion }
    }

    private func request(method: String, body: [UInt8] = []) -> HTTPClient.Request {
        let (sessionID, version) = state.withLock { ($0.sessionID, $0.protocolVersion) }
        var all = headers + [("Accept", method == "GET" ? "text/event-stream" : "application/json, text/event-stream")]
        if !body.isEmpty { all.append(("Content-Type", "application/json")) }
        if let sessionID { all.append(("Mcp-Session-Id", sessionID)) }
        if let version { all.append(("MCP-Protocol-Version", version)) }
        var request = HTTPClient.Request(method: method, url: url, headers: all, body: body)
        request.firstByteTimeout = timeoutMilliseconds
        request.idleTimeout = timeoutMilliseconds
        // Notifications may come before the answer on an event stream: room for them too.
        request.maxResponseBytes = UInt64(maxMessageBytes) * 4
        request.maxEventBytes = UInt64(maxMessageBytes)
        return request
    }

    func send(_ message: JSONRPCMessage) {
        let id: JSONRPCID? = if case .request(let id, _, _) = message { id } else { nil }
        let isInitialize = if case .request(_, "initialize", _) = message { true } else { false }
        let exchange = Exchange(transport: self, id: id, isInitialize: isInitialize, limit: maxMessageBytes)
        do {
            let call = try client.start(request(method: "POST", body: message.bytes), exchange.handlers)
            guard let id else { return }
            let cancelled = state.withLock { state -> Bool in
                guard !state.closed, !exchange.isFinished else { return true }
                state.calls[id] = call
                return false
            }
            if cancelled { call.cancel() }
        } catch {
            if let id { events.requestFailed(id, .unavailable("the outbound client refused the request")) }
        }
    }

    /// Opens the GET stream. It is opened again after it ends quietly (an idle timeout, the
    /// server closing it); a refusal (405: not offered), a failure or a stream over the size
    /// limit leave it closed, and the ping finds out whether the server is still there.
    func listen() {
        let exchange = Exchange(transport: self, id: nil, isInitialize: false, limit: maxMessageBytes) { [weak self] again in
            self?.state.withLock { $0.stream = nil }
            if again { self?.listen() }
        }
        var stream = request(method: "GET")
        stream.firstByteTimeout = 0
        stream.idleTimeout = 0
        guard let call = try? client.start(stream, exchange.handlers) else { return }
        let closed = state.withLock { state -> Bool in
            if !state.closed { state.stream = call }
            return state.closed
        }
        if closed { call.cancel() }
    }

    func abandon(_ id: JSONRPCID) {
        state.withLock { $0.calls.removeValue(forKey: id) }?.cancel()
    }

    func close() {
        let (calls, sessionID) = state.withLock { state in
            state.closed = true
            defer {
                state.calls = [:]
                state.stream = nil
            }
            return (Array(state.calls.values) + (state.stream.map { [$0] } ?? []), state.sessionID)
        }
        for call in calls { call.cancel() }
        guard sessionID != nil else { return }
        var goodbye = request(method: "DELETE")
        goodbye.totalTimeout = 5000
        client.send(goodbye) { _ in }
    }

    fileprivate func finished(_ id: JSONRPCID?) {
        guard let id else { return }
        state.withLock { _ = $0.calls.removeValue(forKey: id) }
    }

    fileprivate func adopt(sessionID: String?) {
        // The spec's session ids are visible ASCII; anything else could not be sent back.
        guard let sessionID, !sessionID.isEmpty, sessionID.utf8.count <= 1024,
              sessionID.utf8.allSatisfy({ (0x21...0x7E).contains($0) })
        else { return }
        state.withLock { $0.sessionID = sessionID }
    }

    fileprivate var hasSession: Bool { state.withLock { $0.sessionID != nil } }

    /// Hands a message to the connection; nil when it is not JSON-RPC.
    fileprivate func deliver(_ body: [UInt8]) -> JSONRPCMessage? {
        guard case .success(let message) = JSONRPCMessage.parse(body) else { return nil }
        events.received(message)
        return message
    }

    fileprivate func fail(_ id: JSONRPCID?, _ error: MCPCallError) {
        if let id { events.requestFailed(id, error) }
    }

    fileprivate func expired() {
        events.closed("the server ended the session (HTTP 404)")
    }
}

/// One POST and its answer: JSON (whole, at the end) or an event stream (each event's data a
/// message, as the host's client hands it over; one over the limit ends the call as too large);
/// or the GET stream, which answers no request.
private final class Exchange: Sendable {
    private let transport: StreamableHTTPTransport
    private let id: JSONRPCID?
    private let isInitialize: Bool
    private let limit: Int
    /// The GET stream's end: whether to open it again.
    private let streamEnded: (@Sendable (Bool) -> Void)?
    private let started = ContinuousClock.now
    private let state: Mutex<State>

    private struct State {
        var status = 0
        var eventStream = false
        var body: [UInt8] = []
        var answered = false
        var failure: MCPCallError?
        var finished = false
    }

    init(transport: StreamableHTTPTransport, id: JSONRPCID?, isInitialize: Bool, limit: Int,
         streamEnded: (@Sendable (Bool) -> Void)? = nil) {
        self.transport = transport
        self.id = id
        self.isInitialize = isInitialize
        self.limit = limit
        self.streamEnded = streamEnded
        state = Mutex(State())
    }

    var isFinished: Bool { state.withLock { $0.finished } }

    var handlers: HTTPClient.Handlers {
        HTTPClient.Handlers(
            head: { [self] _, status, headers in
                let type = headers.first { $0.name.lowercased() == "content-type" }?.value.lowercased() ?? ""
                if isInitialize, (200..<300).contains(status) {
                    transport.adopt(sessionID: headers.first { $0.name.lowercased() == "mcp-session-id" }?.value)
                }
                state.withLock {
                    $0.status = status
                    $0.eventStream = (200..<300).contains(status) && type.hasPrefix("text/event-stream")
                }
            },
            data: { [self] call, bytes in receive(call, bytes) },
            event: { [self] _, event in receive(event) },
            complete: { [self] _, failure in complete(failure) })
    }

    /// A piece of a body that is not an event stream (JSON, an error document), kept whole up to the limit.
    private func receive(_ call: HTTPClient.Call, _ bytes: [UInt8]) {
        let tooLarge = state.withLock { state -> Bool in
            guard state.body.count + bytes.count <= limit else { return true }
            state.body += bytes
            return false
        }
        if tooLarge {
            state.withLock { $0.failure = .tooLarge(limit: limit) }
            call.cancel()
        }
    }

    private func receive(_ event: HTTPClient.Event) {
        guard !event.data.isEmpty else { return }
        if let message = transport.deliver(Array(event.data.utf8)), message.answers(id) {
            state.withLock { $0.answered = true }
        }
    }

    private func complete(_ failure: HTTPClient.Failure?) {
        let finished = state.withLock { state -> State in
            state.finished = true
            return state
        }
        transport.finished(id)
        if let streamEnded {
            // Quietly over after a while (idle, or closed by the server): open it again. One that
            // ends at once is not reopened, or a server could keep this client spinning.
            let quiet = finished.eventStream && finished.failure == nil && (failure == nil || failure?.outcome == .timeout)
                && ContinuousClock.now - started >= .seconds(1)
            if finished.status == 404, transport.hasSession { transport.expired() }
            streamEnded(quiet)
            return
        }
        if let problem = finished.failure {
            transport.fail(id, problem)
            return
        }
        if finished.status == 404, transport.hasSession, !isInitialize {
            transport.fail(id, .unavailable("the server ended the session; reconnecting"))
            transport.expired()
            return
        }
        if let failure {
            let error: MCPCallError = switch failure.outcome {
            case .tooLarge: .tooLarge(limit: limit)
            case .refused: .refused(failure.message)
            default: .unavailable(Self.describe(failure))
            }
            transport.fail(id, error)
            return
        }
        if finished.eventStream {
            if !finished.answered { transport.fail(id, .malformed("the event stream ended without the answer")) }
            return
        }
        let answer = finished.body.isEmpty ? nil : transport.deliver(finished.body)
        guard let id, answer?.answers(id) != true else { return }
        transport.fail(id, (200..<300).contains(finished.status) && answer == nil
            ? .malformed("HTTP \(finished.status) without a JSON-RPC answer")
            : .unavailable("HTTP \(finished.status) from the server"))
    }

    /// A failed POST in words (never its headers or body); a refusal by the outbound policy says so.
    static func describe(_ failure: HTTPClient.Failure) -> String {
        switch failure.outcome {
        case .timeout: "the server did not answer in time"
        case .dns: "the server's host name does not resolve"
        case .connect: "cannot connect to the server: \(failure.message)"
        case .tls: "TLS with the server failed: \(failure.message)"
        case .cancelled: "the request was cancelled"
        case .shutdown: "the host is stopping"
        default: "the request failed: \(failure.message)"
        }
    }
}
