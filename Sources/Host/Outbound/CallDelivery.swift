import Synchronization

/// What a plugin's callbacks for one call do, as Swift closures (`HostTable+Client` and tests
/// make them).
struct OutboundCallbacks: Sendable {
    var head: (@Sendable (_ status: Int, _ headers: [OutboundRequest.Header]) -> Void)?
    var data: (@Sendable (_ bytes: [UInt8]) -> Void)?
    var event: (@Sendable (_ event: ServerSentEventReader.Event) -> Void)?
    var complete: @Sendable (_ outcome: OutboundOutcome, _ message: String) -> Void
}

/// Hands a call's head, body pieces and completion to its callbacks on the worker pool (or,
/// for a call made with PATTERN_CLIENT_ON_LOOP, on the event loop that drives it), one at a
/// time and in order, without a thread waiting between them. While the plugin has paused the
/// call nothing but a failure's completion is delivered. The bytes waiting here are bounded:
/// past `highWater` the event loop stops reading the peer (`wantsInput`) until delivery has
/// caught up below `lowWater`, and `resume` asks the loop to read again.
final class CallDelivery: Sendable {
    enum Item {
        case head(Int, [OutboundRequest.Header])
        case data([UInt8])
        case event(ServerSentEventReader.Event)
        case complete(OutboundOutcome, String)
    }

    private struct State {
        /// Waiting items from `head` on (taken ones are dropped in batches, not one by one).
        var items: [Item] = []
        var head = 0
        var running = false
        var paused = false
        var queuedBytes = 0
        /// The loop was told to stop reading and waits for `resume`.
        var throttled = false
        var completion: (OutboundOutcome, String)?
        var completionStarted = false
    }

    static let highWater = 1 << 20
    static let lowWater = 256 << 10

    private let state = Mutex(State())
    private let callbacks: OutboundCallbacks
    private let workers: WorkerPool
    /// Where callbacks run instead of the workers (PATTERN_CLIENT_ON_LOOP), or nil.
    private let callbackLoop: EventLoop?
    /// Runs (on a worker) when delivery wants more input again, or the plugin resumed.
    private let resume: @Sendable () -> Void
    /// Runs on the worker just before on_complete (the call leaves the registry).
    private let willComplete: @Sendable () -> Void

    init(callbacks: OutboundCallbacks, workers: WorkerPool, callbackLoop: EventLoop?, resume: @escaping @Sendable () -> Void,
         willComplete: @escaping @Sendable () -> Void)
    {
        self.callbacks = callbacks
        self.workers = workers
        self.callbackLoop = callbackLoop
        self.resume = resume
        self.willComplete = willComplete
    }

    /// Whether the loop should read from the peer now: not paused, not too far ahead.
    var wantsInput: Bool {
        state.withLock { state in
            let wants = !state.paused && state.queuedBytes < Self.highWater
            if !wants { state.throttled = true }
            return wants
        }
    }

    /// Queues the head or a piece of the body.
    func push(_ item: Item) {
        let start = state.withLock { state -> Bool in
            guard state.completion == nil else { return false }
            state.items.append(item)
            state.queuedBytes += Self.size(of: item)
            return startIfNeeded(&state)
        }
        if start { scheduleDrain() }
    }

    /// Queues the completion; false when the call had completed already (exactly once). A
    /// failure drops the body pieces not yet delivered and is delivered even while paused.
    @discardableResult
    func complete(_ outcome: OutboundOutcome, _ message: String) -> Bool {
        let start = state.withLock { state -> Bool? in
            guard state.completion == nil else { return nil }
            state.completion = (outcome, message)
            if outcome != .ok {
                state.items = state.items[state.head...].filter { if case .head = $0 { true } else { false } }
                state.head = 0
                state.queuedBytes = 0
            }
            return startIfNeeded(&state)
        }
        guard let start else { return false }
        if start { scheduleDrain() }
        return true
    }

    /// Sets or clears the plugin's pause; resuming restarts delivery and the loop's reading.
    func setPaused(_ paused: Bool) {
        let start = state.withLock { state -> Bool in
            state.paused = paused
            return startIfNeeded(&state)
        }
        if start { scheduleDrain() }
        if !paused { resume() }
    }

    private func scheduleDrain() {
        if let callbackLoop {
            callbackLoop.deliver(.run { [self] _ in drain() })
        } else {
            workers.submit { [self] in drain() }
        }
    }

    private func startIfNeeded(_ state: inout State) -> Bool {
        guard !state.running, hasDeliverable(state) else { return false }
        state.running = true
        return true
    }

    private func hasDeliverable(_ state: State) -> Bool {
        if state.completionStarted { return false }
        if let completion = state.completion, completion.0 != .ok { return true }
        if state.paused { return false }
        return state.head < state.items.count || state.completion != nil
    }

    private func drain() {
        while true {
            let next = state.withLock { state -> (Item?, resume: Bool) in
                guard hasDeliverable(state) else {
                    state.running = false
                    return (nil, false)
                }
                if state.head == state.items.count || state.paused && state.completion != nil {
                    state.items.removeAll()
                    state.head = 0
                    state.completionStarted = true
                    let (outcome, message) = state.completion!
                    return (.complete(outcome, message), false)
                }
                let item = state.items[state.head]
                state.items[state.head] = .data([])  // its bytes go now, not at the next compaction
                state.head += 1
                if state.head >= 64 && state.head * 2 >= state.items.count {
                    state.items.removeFirst(state.head)
                    state.head = 0
                }
                state.queuedBytes -= Self.size(of: item)
                let resume = state.throttled && state.queuedBytes < Self.lowWater && !state.paused
                if resume { state.throttled = false }
                return (item, resume)
            }
            if next.resume { resume() }
            guard let item = next.0 else { return }
            switch item {
            case .head(let status, let headers): callbacks.head?(status, headers)
            case .data(let bytes): callbacks.data?(bytes)
            case .event(let event): callbacks.event?(event)
            case .complete(let outcome, let message):
                willComplete()
                callbacks.complete(outcome, message)
                return
            }
        }
    }

    private static func size(of item: Item) -> Int {
        switch item {
        case .data(let bytes): bytes.count
        case .event(let event): event.data.count + event.name.count + event.id.count
        case .head, .complete: 0
        }
    }
}
