import PluginABI
import PluginKit
import Synchronization

/// The "ratelimit.login.v1" service (pattern_login_throttle.h): failed logins per username,
/// `max_failures` per `window_seconds` as a GCRA bucket, so after a burst of failures each
/// further attempt waits until the window frees up again: a throttle, never a lockout.
/// Usernames are compared case-insensitively; the table is bounded like the request keys.
final class LoginThrottle: Sendable {
    /// One per process: the C service functions reach it here.
    static let shared = LoginThrottle()

    private struct State: Sendable {
        var gcra = GCRA(quota: 5, windowNanoseconds: 300_000_000_000, burst: 5)
        var failures = KeyTable<String>(maxKeys: 100_000)
        var metrics: RateLimitMetrics?
    }

    private let state = Mutex(State())

    func configure(maxFailures: Int, windowSeconds: Int, maxKeys: Int, metrics: RateLimitMetrics) {
        state.withLock { state in
            state.gcra = GCRA(quota: maxFailures, windowNanoseconds: Int64(windowSeconds) * 1_000_000_000,
                              burst: maxFailures)
            state.failures = KeyTable(maxKeys: maxKeys)
            state.metrics = metrics
        }
    }

    /// Seconds (rounded up) until `username` may try again; 0 when it may now.
    func retryAfter(_ username: String) -> Int64 {
        let (gcra, failures, metrics) = state.withLock { ($0.gcra, $0.failures, $0.metrics) }
        let seconds = GCRA.wholeSeconds(gcra.delay(tat: failures.tat(Self.normalized(username)), now: GCRA.now()))
        if seconds > 0 { metrics?.loginThrottled() }
        return seconds
    }

    func recordFailure(_ username: String) {
        let (gcra, failures) = state.withLock { ($0.gcra, $0.failures) }
        let key = Self.normalized(username)
        let now = GCRA.now()
        // Charged even past the limit (auth should not call it then), capped so the wait
        // never exceeds one window.
        let tat = min(max(failures.tat(key) ?? now, now) + gcra.emissionInterval,
                      now + gcra.tolerance + gcra.emissionInterval)
        failures.store(key, tat: tat, now: now)
    }

    static func normalized(_ username: String) -> String {
        String(username.lowercased().utf8.prefix(256)) ?? ""
    }

    /// Allocated once, never freed: the host hands this pointer to the auth plugin.
    static let vtable = ServiceVTable(pointer: {
        let table = UnsafeMutablePointer<pattern_login_throttle_v1>.allocate(capacity: 1)
        table.initialize(to: pattern_login_throttle_v1(
            struct_size: UInt32(MemoryLayout<pattern_login_throttle_v1>.size),
            retry_after: { username in LoginThrottle.shared.retryAfter(username.string) },
            record_failure: { username in LoginThrottle.shared.recordFailure(username.string) }))
        return UnsafeRawPointer(table)
    }())
}
