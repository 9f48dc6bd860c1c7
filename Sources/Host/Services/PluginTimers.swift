import Synchronization

/// Plugins' timers (ABI 1.4). Each lives on one event loop's timer heap and calls back on a
/// worker; a repeating timer is re-armed only after its call returns, so calls never overlap.
/// Timers started during init wait for the loops and start with them.
final class PluginTimers: Sendable {
    typealias Fire = @Sendable (UInt64) -> Void

    private struct Timer {
        let fire: Fire
        let interval: UInt64
        /// The delay of a timer whose loop does not exist yet.
        var waitingDelay: UInt64?
        var loop: EventLoop?
    }

    private struct State {
        var timers: [UInt64: Timer] = [:]
        var stopped = false
    }

    private let state = Mutex(State())
    private let lastID = Atomic<UInt64>(0)
    private let loops: LoopGroup

    init(loops: LoopGroup) {
        self.loops = loops
    }

    /// A new timer's id; nil once the host is stopping.
    func start(delay: UInt64, interval: UInt64, _ fire: @escaping Fire) -> UInt64? {
        let id = lastID.add(1, ordering: .relaxed).newValue
        let loop = loops.next()
        let started = state.withLock { state -> Bool in
            guard !state.stopped else { return false }
            state.timers[id] = Timer(fire: fire, interval: interval, waitingDelay: loop == nil ? delay : nil, loop: loop)
            return true
        }
        guard started else { return nil }
        if let loop { arm(id, on: loop, after: delay) }
        return id
    }

    /// False when the timer is unknown, a one-shot that fired, or already cancelled.
    func cancel(_ id: UInt64) -> Bool {
        state.withLock { $0.timers.removeValue(forKey: id) != nil }
    }

    /// The loops exist: timers started during init begin counting now.
    func loopsStarted() {
        let waiting = state.withLock { state -> [(UInt64, UInt64, EventLoop)] in
            var waiting: [(UInt64, UInt64, EventLoop)] = []
            for (id, timer) in state.timers {
                guard let delay = timer.waitingDelay, let loop = loops.next() else { continue }
                state.timers[id]?.waitingDelay = nil
                state.timers[id]?.loop = loop
                waiting.append((id, delay, loop))
            }
            return waiting
        }
        for (id, delay, loop) in waiting { arm(id, on: loop, after: delay) }
    }

    /// Shutdown: no timer fires again and none can start.
    func stop() {
        state.withLock { state in
            state.stopped = true
            state.timers.removeAll()
        }
    }

    private func arm(_ id: UInt64, on loop: EventLoop, after delay: UInt64) {
        loop.post(.run { [self] loop in
            _ = loop.timers.schedule(at: loop.now + delay) { [self] in due(id, on: loop) }
        })
    }

    /// On the loop: hand the call to a worker unless the timer was cancelled meanwhile.
    private func due(_ id: UInt64, on loop: EventLoop) {
        guard state.withLock({ $0.timers[id] != nil }) else { return }
        loop.context.workers.submit { [self] in
            // Checked again under the lock that cancel takes: no call starts after cancel returns.
            let timer = state.withLock { state -> Timer? in
                guard let timer = state.timers[id] else { return nil }
                if timer.interval == 0 { state.timers[id] = nil }
                return timer
            }
            guard let timer else { return }
            timer.fire(id)
            if timer.interval > 0 && state.withLock({ $0.timers[id] != nil }) {
                arm(id, on: loop, after: timer.interval)
            }
        }
    }
}
