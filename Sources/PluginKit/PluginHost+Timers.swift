import PluginABI

/// The host's timers (ABI 1.4) for Swift plugins: callbacks on worker threads, a repeating
/// timer's calls never overlapping. Nothing waits on a thread in between.
extension PluginHost {
    /// A started timer; `cancel()` stops it (no call starts after it returns).
    public struct Timer: Sendable {
        public let id: UInt64
        let api: TimersTable

        @discardableResult
        public func cancel() -> Bool { api.raw.pointee.cancel(id) == PATTERN_OK }
    }

    /// Calls `body` after `delay` ms, then every `interval` ms after each call returns (0: once);
    /// `body` gets its timer, to cancel it from inside. Nil on a host before ABI 1.4 or while it
    /// stops.
    @discardableResult
    public func timer(afterMilliseconds delay: UInt64, everyMilliseconds interval: UInt64 = 0,
                      _ body: @escaping @Sendable (Timer) -> Void) -> Timer? {
        guard let timers = table.added(\.timers) else { return nil }
        let api = TimersTable(raw: timers)
        let box = Unmanaged.passRetained(ClosureBox(TimerCall(api: api, body: body))).toOpaque()
        var id: UInt64 = 0
        // A one-shot's only call releases its closure; a repeating timer's lives with the plugin
        // (a call may still be starting when another thread cancels it).
        let status = interval == 0
            ? timers.pointee.start(delay, 0, { id, userdata in
                Unmanaged<ClosureBox<TimerCall>>.fromOpaque(userdata!).takeRetainedValue().value.run(id)
            }, box, &id)
            : timers.pointee.start(delay, interval, { id, userdata in
                Unmanaged<ClosureBox<TimerCall>>.fromOpaque(userdata!).takeUnretainedValue().value.run(id)
            }, box, &id)
        guard status == PATTERN_OK else {
            Unmanaged<ClosureBox<TimerCall>>.fromOpaque(box).release()
            return nil
        }
        return Timer(id: id, api: api)
    }

    private struct TimerCall: Sendable {
        let api: TimersTable
        let body: @Sendable (Timer) -> Void

        func run(_ id: UInt64) { body(Timer(id: id, api: api)) }
    }
}

// @unchecked: the host's tables are immutable and live as long as the process.
struct TimersTable: @unchecked Sendable {
    let raw: UnsafePointer<pattern_timer_api>
}
