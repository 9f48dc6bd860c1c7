import Glibc
import Synchronization

/// The host's outbound HTTP/1.1 client (the `client` sub-table): calls are spread over the
/// event loops, which do all the waiting; callbacks run on the worker pool. Calls are known by
/// generation-style ids (never reused) so that cancel and pause from any thread find them, or
/// find nothing.
final class OutboundClient: Sendable {
    private struct Entry {
        let delivery: CallDelivery
        let loop: Int
    }

    private struct State {
        var loops: [OutboundLoop] = []
        var tlsContext: TLSClientContext?
        var calls: [UInt64: Entry] = [:]
        var nextID: UInt64 = 0
        var turn = 0
        var stopping = false
    }

    enum StartRefusal: Error, Equatable {
        case notServing, stopping, busy
    }

    /// Calls in flight at once; one more is refused (PATTERN_BUSY) rather than queued.
    static let maxCalls = 65_536

    let policy: OutboundPolicy
    let proxies: ProxySettings
    let slots: OriginSlots
    let resolver: Resolver
    let logger: Logger
    private let caFile: String?
    private let state = Mutex(State())

    init(config: ServerConfig.Outbound, environment: [String: String], logger: Logger) {
        policy = OutboundPolicy(allowPrivateNetworks: config.allowPrivateNetworks,
                                allow: config.allow.compactMap(IPNetwork.init), denyAll: config.denyAll)
        var problems: [String] = []
        proxies = ProxySettings(environment: environment, problems: &problems)
        for problem in problems { logger.log(.warn, "outbound proxy ignored", ["reason": problem]) }
        slots = OriginSlots(capacity: config.maxConnectionsPerOrigin)
        resolver = Resolver(threads: 2, maxPending: 1024)
        caFile = config.caFile
        self.logger = logger
    }

    /// Starts serving calls on `loops`; loads the TLS trust store (a bad ca_file stops the start).
    func attach(_ loops: [EventLoop]) throws(TLSClientContext.SetupError) {
        let context = try TLSClientContext(caFile: caFile)
        let shares = loops.map { OutboundLoop(loop: $0, client: self) }
        state.withLock {
            $0.loops = shares
            $0.tlsContext = context
        }
    }

    var tlsContext: TLSClientContext? { state.withLock { $0.tlsContext } }
    var isStopping: Bool { state.withLock { $0.stopping } }

    func loop(_ index: Int) -> OutboundLoop? { state.withLock { $0.loops.first { $0.loop.index == index } } }

    /// Starts a call; its callbacks follow on workers, `complete` exactly once.
    func start(_ request: OutboundRequest, options: OutboundCall.Options,
               callbacks makeCallbacks: (UInt64) -> OutboundCallbacks) throws(StartRefusal) -> UInt64
    {
        // The caller's own loop when it runs on one (no thread hop; its parked connections are
        // as good as any); else a loop with a parked connection to the origin, so it is
        // reused; else the next in turn.
        let parkedOn = slots.loopWithParked(request.url.origin)
        let claimed = state.withLock { state -> Result<(UInt64, OutboundLoop), StartRefusal> in
            guard !state.loops.isEmpty else { return .failure(.notServing) }
            guard !state.stopping else { return .failure(.stopping) }
            guard state.calls.count < Self.maxCalls else { return .failure(.busy) }
            state.nextID += 1
            state.turn += 1
            let share = state.loops.first { $0.loop.isCurrent }
                ?? parkedOn.flatMap { index in state.loops.first { $0.loop.index == index } }
            return .success((state.nextID, share ?? state.loops[state.turn % state.loops.count]))
        }
        let (id, share): (UInt64, OutboundLoop)
        switch claimed {
        case .success(let value): (id, share) = value
        case .failure(let refusal): throw refusal
        }
        let loop = share.loop
        let delivery = CallDelivery(
            callbacks: makeCallbacks(id), workers: loop.context.workers, callbackLoop: options.onLoop ? loop : nil,
            resume: { loop.deliver(.run { _ in share.resume(id) }) },
            willComplete: { [self] in _ = state.withLock { $0.calls.removeValue(forKey: id) } })
        state.withLock { $0.calls[id] = Entry(delivery: delivery, loop: loop.index) }
        let call = OutboundCall(id: id, request: request, options: options, delivery: delivery, owner: share)
        loop.deliver(.run { _ in share.start(call) })
        return id
    }

    /// Ends a call early with PATTERN_CLIENT_CANCELLED; false when it has completed already.
    func cancel(_ id: UInt64) -> Bool {
        guard let entry = state.withLock({ $0.calls[id] }), entry.delivery.complete(.cancelled, "cancelled"),
              let share = loop(entry.loop)
        else { return false }
        share.loop.post(.run { _ in share.abort(id) })
        return true
    }

    func pause(_ id: UInt64, _ paused: Bool) -> Bool {
        guard let entry = state.withLock({ $0.calls[id] }) else { return false }
        entry.delivery.setPaused(paused)
        return true
    }

    /// Asks the other loops to close one parked connection of `origin` each, so a loop whose
    /// calls wait for a slot gets one (connections cannot move between loops).
    func releaseIdle(_ origin: String, except asking: OutboundLoop) {
        for share in state.withLock({ $0.loops }) where share !== asking {
            share.loop.post(.run { _ in share.closeIdle(origin) })
        }
    }

    /// Refuses new calls, ends every outstanding one with PATTERN_CLIENT_SHUTDOWN and waits
    /// (up to `timeoutMilliseconds`) until their on_complete callbacks have run.
    func shutdown(timeoutMilliseconds: UInt64) {
        let loops = state.withLock { state in
            state.stopping = true
            return state.loops
        }
        for share in loops { share.loop.post(.run { _ in share.shutdown() }) }
        let deadline = MonotonicClock.milliseconds() + timeoutMilliseconds
        while state.withLock({ !$0.calls.isEmpty }) && MonotonicClock.milliseconds() < deadline {
            usleep(10_000)
        }
        let left = state.withLock { $0.calls.count }
        if left > 0 { logger.log(.warn, "outbound calls still completing at shutdown", ["calls": String(left)]) }
    }

    /// One debug line per call: where to (origin only: paths and queries may carry keys), how
    /// it ended and how long it took. Never headers or bodies.
    func logCall(_ call: OutboundCall, outcome: OutboundOutcome, message: String) {
        guard logger.enabled(.debug) else { return }
        logger.log(.debug, "outbound call", [
            "id": String(call.id), "method": call.request.method, "origin": call.request.url.origin,
            "outcome": String(describing: outcome), "message": message,
            "ms": String(MonotonicClock.milliseconds() - call.startedAt),
        ])
    }
}
