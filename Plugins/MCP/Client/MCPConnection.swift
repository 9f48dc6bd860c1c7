import Foundation
import PluginKit
import Synchronization

/// The client side of one registered server: the handshake (initialize, initialized,
/// tools/list with its pages), tool calls with their deadline and cancellation, a ping as
/// health check, and reconnecting with backoff. Entirely callback driven: the transport reports
/// on worker threads and `tick` (the plugin's one clock) expires deadlines and starts what is
/// due, so no thread ever waits for a server.
final class MCPConnection: Sendable {
    enum Status: String, Sendable {
        case connected, connecting, disconnected, error
    }

    /// What the registry shows of it.
    struct Snapshot: Sendable, Equatable {
        var status: Status
        var connectedAt: String?
        var lastError: String?
        var tools: [RemoteTool]
    }

    typealias Completion = @Sendable (Result<JSONValue, MCPCallError>) -> Void
    typealias TransportMaker = @Sendable (MCPTransportEvents) throws(MCPConnectionError) -> any MCPTransport

    let serverID: String
    private let host: PluginHost
    private let limits: MCPConfig
    private let makeTransport: TransportMaker
    private let state: Mutex<State>

    private struct Pending {
        var generation: UInt64
        var deadline: ContinuousClock.Instant
        var timeoutSeconds: Int
        var isToolCall: Bool
        var completion: Completion
    }

    /// What ending an attempt hands out of the lock: its transport, waiting requests and waiters.
    private typealias Ending = ((any MCPTransport)?, [Pending], [@Sendable (Snapshot) -> Void], Snapshot)

    private struct State {
        var snapshot = Snapshot(status: .disconnected, tools: [])
        var autoReconnect: Bool
        /// False once disabled or removed: nothing starts any more.
        var running = true
        /// Each attempt gets a new one; reports of an older attempt are ignored.
        var generation: UInt64 = 0
        var transport: (any MCPTransport)?
        var ready = false
        var nextID: Int64 = 1
        var pending: [JSONRPCID: Pending] = [:]
        var toolCalls = 0
        /// When to (re)connect; nil: not scheduled.
        var connectAt: ContinuousClock.Instant?
        var failures = 0
        var nextPingAt: ContinuousClock.Instant?
        var pinging = false
        /// A tools/list refresh runs; `refreshAgain` when another list_changed came meanwhile.
        var refreshing = false
        var refreshAgain = false
        /// Told once, when the first attempt has connected or failed.
        var settled: [@Sendable (Snapshot) -> Void] = []
    }

    init(serverID: String, autoReconnect: Bool, host: PluginHost, limits: MCPConfig, makeTransport: @escaping TransportMaker) {
        self.serverID = serverID
        self.host = host
        self.limits = limits
        self.makeTransport = makeTransport
        var initial = State(autoReconnect: autoReconnect)
        initial.snapshot.status = .connecting
        initial.connectAt = .now
        state = Mutex(initial)
    }

    var snapshot: Snapshot { state.withLock { $0.snapshot } }

    /// Turning it on for a server in error tries again at once.
    func setAutoReconnect(_ value: Bool) {
        state.withLock { state in
            state.autoReconnect = value
            if value, state.running, state.snapshot.status == .error, state.connectAt == nil { state.connectAt = .now }
        }
    }

    /// Calls `body` once the first connection attempt has connected or failed (at once if it has).
    func whenSettled(_ body: @escaping @Sendable (Snapshot) -> Void) {
        let now = state.withLock { state -> Snapshot? in
            if state.snapshot.status == .connecting, state.running {
                state.settled.append(body)
                return nil
            }
            return state.snapshot
        }
        if let now { body(now) }
    }

    // MARK: The clock

    /// Expires deadlines, and starts a due (re)connection or ping. Called by the plugin's clock.
    func tick(_ now: ContinuousClock.Instant) {
        var expired: [(JSONRPCID, Pending)] = []
        var connect = false
        var ping = false
        let transport = state.withLock { state -> (any MCPTransport)? in
            for (id, pending) in state.pending where pending.deadline <= now {
                state.pending[id] = nil
                if pending.isToolCall { state.toolCalls -= 1 }
                expired.append((id, pending))
            }
            if state.running, let due = state.connectAt, due <= now {
                state.connectAt = nil
                connect = true
            }
            if state.ready, !state.pinging, let due = state.nextPingAt, due <= now {
                state.pinging = true
                ping = true
            }
            return state.transport
        }
        for (id, pending) in expired {
            Self.abandon(id, pending, on: transport, reason: "timed out after \(pending.timeoutSeconds) s")
            pending.completion(.failure(.timeout(seconds: pending.timeoutSeconds)))
        }
        if connect { self.connect() }
        if ping { self.ping() }
    }

    // MARK: Connecting

    private func connect() {
        let attempt = state.withLock { state -> (UInt64, (any MCPTransport)?)? in
            // Stopped between the clock's decision and now: nothing starts.
            guard state.running else { return nil }
            state.generation += 1
            state.ready = false
            state.pinging = false
            state.nextPingAt = nil
            state.snapshot.status = .connecting
            defer { state.transport = nil }
            return (state.generation, state.transport)
        }
        guard let (generation, old) = attempt else { return }
        old?.close()
        let transport: any MCPTransport
        do {
            transport = try makeTransport(events(generation))
            try transport.open()
        } catch {
            failed(generation, error)
            return
        }
        let current = state.withLock { state -> Bool in
            guard state.generation == generation, state.running else { return false }
            state.transport = transport
            return true
        }
        guard current else {
            transport.close()
            return
        }
        let params: JSONValue = [
            "protocolVersion": .string(MCPProtocolVersion.latest), "capabilities": [:],
            "clientInfo": ["name": "pattern-server", "version": "1.0.0"],
        ]
        request("initialize", params, generation: generation, timeoutSeconds: limits.connectTimeoutSeconds) { [self] result in
            switch result {
            case .failure(let error):
                failed(generation, MCPConnectionError(description: "initialize failed: \(error)",
                                                      retryable: !Self.isRefusal(error)))
            case .success(let answer):
                guard let version = answer["protocolVersion"]?.stringValue, MCPProtocolVersion.isSupported(version) else {
                    let picked = answer["protocolVersion"]?.jsonText ?? "none"
                    failed(generation, MCPConnectionError(
                        description: "the server picked protocol version \(picked.prefix(40)), which this client does not speak",
                        retryable: false))
                    return
                }
                transport.negotiated(protocolVersion: version)
                transport.send(.notification(method: "notifications/initialized", params: nil))
                transport.listen()
                listTools(generation: generation) { [self] outcome in
                    switch outcome {
                    case .failure(let error):
                        failed(generation, MCPConnectionError(description: "tools/list failed: \(error)"))
                    case .success(let (tools, note)):
                        connected(generation, tools: tools, note: note)
                    }
                }
            }
        }
    }

    private static func isRefusal(_ error: MCPCallError) -> Bool {
        if case .refused = error { true } else { false }
    }

    private func events(_ generation: UInt64) -> MCPTransportEvents {
        MCPTransportEvents(
            received: { [weak self] message in self?.received(message, generation: generation) },
            requestFailed: { [weak self] id, error in self?.complete(id, .failure(error), generation: generation) },
            closed: { [weak self] why in self?.failed(generation, MCPConnectionError(description: why)) })
    }

    private func connected(_ generation: UInt64, tools: [RemoteTool], note: String?) {
        let waiters = state.withLock { state -> [@Sendable (Snapshot) -> Void] in
            guard state.generation == generation else { return [] }
            state.ready = true
            state.failures = 0
            state.snapshot = Snapshot(status: .connected, connectedAt: Timestamp.rfc3339(Date()), lastError: note,
                                      tools: tools)
            state.nextPingAt = .now + .seconds(limits.pingIntervalSeconds)
            defer { state.settled = [] }
            return state.settled
        }
        for waiter in waiters { waiter(snapshot) }
    }

    /// Attempt `generation` is over: its requests fail, and another is scheduled with backoff
    /// (0.5 s, 1 s, 2 s … at most 30 s) when the server reconnects automatically.
    private func failed(_ generation: UInt64, _ error: MCPConnectionError) {
        let ended = end(reason: error.description) { state in
            guard state.generation == generation else { return false }
            state.snapshot.status = state.running ? .error : .disconnected
            state.snapshot.lastError = error.description
            if state.running, state.autoReconnect, error.retryable {
                let delay = min(30_000, 500 << min(state.failures, 6))
                state.connectAt = .now + .milliseconds(delay)
                state.failures += 1
            }
            return true
        }
        // The reason names no secret: no header or environment value, no URL path or query.
        if ended { host.log(.warn, "mcp: server \(serverID) is not connected: \(error.description)") }
    }

    /// Stops for good (disabled or removed): the child is closed, waiting calls fail.
    func stop(reason: String) {
        end(reason: reason) { state in
            state.running = false
            state.connectAt = nil
            state.snapshot.status = .disconnected
            return true
        }
    }

    /// Ends the current attempt when `decide` says so (after updating the state): its
    /// transport is closed, its requests fail with `reason`, and waiters learn the outcome.
    @discardableResult
    private func end(reason: String, _ decide: (inout State) -> Bool) -> Bool {
        let ending = state.withLock { state -> Ending? in
            guard decide(&state) else { return nil }
            state.generation += 1
            state.ready = false
            state.snapshot.connectedAt = nil
            let pending = Array(state.pending.values)
            state.pending = [:]
            state.toolCalls = 0
            defer {
                state.transport = nil
                state.settled = []
            }
            return (state.transport, pending, state.settled, state.snapshot)
        }
        guard let (transport, pending, waiters, snapshot) = ending else { return false }
        transport?.close()
        for request in pending { request.completion(.failure(.unavailable(reason))) }
        for waiter in waiters { waiter(snapshot) }
        return true
    }

    // MARK: Requests

    /// Stops waiting for a request's answer; a tool call is also cancelled with the server
    /// (`notifications/cancelled`), so it stops working on it.
    private static func abandon(_ id: JSONRPCID, _ pending: Pending, on transport: (any MCPTransport)?, reason: String) {
        transport?.abandon(id)
        if pending.isToolCall {
            transport?.send(.notification(method: "notifications/cancelled", params: [
                "requestId": id.json, "reason": .string(reason),
            ]))
        }
    }

    /// The caller of a tool call went away: its slot is freed at once and the server told to
    /// stop; the completion hears `unavailable`. Nothing happens when the call has ended.
    func cancelCall(_ id: JSONRPCID, reason: String) {
        let found = state.withLock { state -> (Pending, (any MCPTransport)?)? in
            guard let pending = state.pending.removeValue(forKey: id) else { return nil }
            if pending.isToolCall { state.toolCalls -= 1 }
            return (pending, state.transport)
        }
        guard let (pending, transport) = found else { return }
        Self.abandon(id, pending, on: transport, reason: reason)
        pending.completion(.failure(.unavailable(reason)))
    }

    /// Sends request `method` on attempt `generation` (nil: the current one, if it is ready);
    /// its id, or nil when it was refused (the completion has heard why).
    @discardableResult
    private func request(_ method: String, _ params: JSONValue?, generation: UInt64? = nil, timeoutSeconds: Int,
                         isToolCall: Bool = false, _ completion: @escaping Completion) -> JSONRPCID? {
        let limit = limits.maxConcurrentCalls
        let outcome = state.withLock { state -> Result<(JSONRPCID, any MCPTransport), MCPCallError> in
            guard let transport = state.transport, generation.map({ $0 == state.generation }) ?? state.ready else {
                return .failure(.unavailable(state.snapshot.lastError ?? "it is \(state.snapshot.status.rawValue)"))
            }
            if isToolCall {
                guard state.toolCalls < limit else { return .failure(.busy(limit: limit)) }
                state.toolCalls += 1
            }
            let id = JSONRPCID.number(state.nextID)
            state.nextID += 1
            state.pending[id] = Pending(generation: state.generation, deadline: .now + .seconds(timeoutSeconds),
                                        timeoutSeconds: timeoutSeconds, isToolCall: isToolCall, completion: completion)
            return .success((id, transport))
        }
        switch outcome {
        case .failure(let error):
            completion(.failure(error))
            return nil
        case .success(let (id, transport)):
            transport.send(.request(id: id, method: method, params: params))
            return id
        }
    }

    private func complete(_ id: JSONRPCID, _ result: Result<JSONValue, MCPCallError>, generation: UInt64) {
        let pending = state.withLock { state -> Pending? in
            guard let pending = state.pending[id], pending.generation == generation else { return nil }
            state.pending[id] = nil
            if pending.isToolCall { state.toolCalls -= 1 }
            return pending
        }
        pending?.completion(result)
    }

    private func received(_ message: JSONRPCMessage, generation: UInt64) {
        switch message {
        case .result(let id, let result):
            complete(id, .success(result), generation: generation)
        case .error(let id?, let error):
            complete(id, .failure(.server(error)), generation: generation)
        case .error(nil, _):
            break
        case .notification("notifications/tools/list_changed", _):
            refreshTools(generation: generation)
        case .notification:
            break  // progress, log messages …: nothing here uses them, and a flood costs only its parsing
        case .request(let id, let method, _):
            let transport = state.withLock { $0.generation == generation ? $0.transport : nil }
            let answer: JSONRPCMessage = method == "ping" ? .result(id: id, [:]) : .error(id: id, .methodNotFound(method))
            transport?.send(answer)
        }
    }

    /// Lists every page of tools, at most `max_tools_per_server` of them (and 100 pages);
    /// `note` says when some were left out.
    private func listTools(generation: UInt64? = nil,
                           _ done: @escaping @Sendable (Result<([RemoteTool], String?), MCPCallError>) -> Void) {
        let limit = limits.maxToolsPerServer
        let timeout = limits.connectTimeoutSeconds
        @Sendable func page(_ cursor: String?, _ collected: [RemoteTool], _ pages: Int) {
            let params: JSONValue? = cursor.map { ["cursor": .string($0)] }
            request("tools/list", params, generation: generation, timeoutSeconds: timeout) { result in
                switch result {
                case .failure(let error):
                    done(.failure(error))
                case .success(let answer):
                    guard let listed = answer["tools"]?.arrayValue else {
                        done(.failure(.malformed("tools/list without a tools array")))
                        return
                    }
                    var tools = collected
                    var seen = Set(tools.map(\.name))
                    for tool in listed.compactMap(RemoteTool.init(listed:)) where seen.insert(tool.name).inserted {
                        tools.append(tool)
                    }
                    if tools.count > limit {
                        done(.success((Array(tools.prefix(limit)),
                                       "the server lists more than \(limit) tools; only the first \(limit) are used")))
                    } else if let next = answer["nextCursor"]?.stringValue, pages < 100 {
                        page(next, tools, pages + 1)
                    } else {
                        done(.success((tools, nil)))
                    }
                }
            }
        }
        page(nil, [], 1)
    }

    /// notifications/tools/list_changed: lists the tools again, one listing at a time however
    /// many notifications come.
    private func refreshTools(generation: UInt64) {
        let start = state.withLock { state -> Bool in
            guard state.generation == generation, state.ready else { return false }
            if state.refreshing {
                state.refreshAgain = true
                return false
            }
            state.refreshing = true
            return true
        }
        guard start else { return }
        listTools { [self] result in
            let again = state.withLock { state -> Bool in
                state.refreshing = false
                guard state.generation == generation else { return false }
                if case .success(let (tools, note)) = result {
                    state.snapshot.tools = tools
                    state.snapshot.lastError = note
                }
                defer { state.refreshAgain = false }
                return state.refreshAgain
            }
            if again { refreshTools(generation: generation) }
        }
    }

    private func ping() {
        let generation = state.withLock { $0.generation }
        request("ping", nil, timeoutSeconds: limits.connectTimeoutSeconds) { [self] result in
            let failure: MCPCallError? = switch result {
            case .success: nil
            case .failure(.server(let error)) where error.code == -32601: nil  // alive, just without ping
            case .failure(let error): error
            }
            state.withLock { state in
                guard state.generation == generation else { return }
                state.pinging = false
                state.nextPingAt = .now + .seconds(limits.pingIntervalSeconds)
            }
            if let failure { failed(generation, MCPConnectionError(description: "ping failed: \(failure)")) }
        }
    }

    /// tools/call: the MCP result `{content, isError, structuredContent?}` or why there is none.
    /// Calls tool `name`; the call's id (for `cancelCall`), or nil when it was refused.
    @discardableResult
    func callTool(_ name: String, arguments: JSONValue, timeoutSeconds: Int? = nil, _ completion: @escaping Completion)
        -> JSONRPCID?
    {
        let timeout = timeoutSeconds ?? limits.callTimeoutSeconds
        return request("tools/call", ["name": .string(name), "arguments": arguments], timeoutSeconds: timeout, isToolCall: true) {
            result in
            guard case .success(let answer) = result else { return completion(result) }
            guard answer["content"]?.arrayValue != nil || answer["structuredContent"] != nil else {
                return completion(.failure(.malformed("a tools/call result without content")))
            }
            completion(.success(answer))
        }
    }
}
