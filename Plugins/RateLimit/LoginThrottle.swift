import PluginABI
import PluginKit
import RateLimitBuckets
import Synchronization

/// The "ratelimit.login.v1" service (pattern_login_throttle_service.h). Failed logins are GCRA buckets
/// per (username, client address) — `max_failures` per `window_seconds`, after which that
/// address waits for the window to free up, a throttle, never a lockout — and per username
/// across addresses, `max_failures_per_username` per window, beyond which every attempt for
/// the username is only slowed down (at most a second), so nobody can lock the owner out.
/// Usernames are compared case-insensitively; both kinds of key share one bounded table.
final class LoginThrottle: Sendable {
    /// One per process: the C service functions reach it here.
    static let shared = LoginThrottle()

    /// Whose failures a bucket counts: a username from one address, or from all (nil).
    struct Key: Hashable, Sendable {
        let username: String
        let address: IPAddress?
    }

    private struct State: Sendable {
        var perAddress = GCRA(quota: 5, windowNanoseconds: 300_000_000_000, burst: 5)
        var perUsername = GCRA(quota: 20, windowNanoseconds: 300_000_000_000, burst: 20)
        var failures = KeyTable<Key>(maxKeys: 100_000)
        var resolver = ClientAddressResolver(trustedProxies: [], ipv6KeyPrefix: 64)
        var host: PluginHost?
        var metrics: RateLimitMetrics?
    }

    private let state = Mutex(State())
    private static let longestSlowdownMilliseconds: Int64 = 1000
    /// Where callers of the first version of the service, which name no request, count from.
    static let unknownAddress = IPAddress(high: 0, low: 0)

    func configure(_ config: RateLimitConfig, resolver: ClientAddressResolver, host: PluginHost,
                   metrics: RateLimitMetrics) {
        let window = Int64(config.loginWindowSeconds) * 1_000_000_000
        state.withLock { state in
            state.perAddress = GCRA(quota: config.loginFailures, windowNanoseconds: window, burst: config.loginFailures)
            state.perUsername = GCRA(quota: config.loginFailuresPerUsername, windowNanoseconds: window,
                                     burst: config.loginFailuresPerUsername)
            state.failures = KeyTable(maxKeys: config.maxKeys)
            state.resolver = resolver
            state.host = host
            state.metrics = metrics
        }
    }

    /// Seconds (rounded up) until `username` may try again from `address`; 0 when it may now.
    func retryAfter(_ username: String, from address: IPAddress) -> Int64 {
        let (gcra, failures, metrics) = state.withLock { ($0.perAddress, $0.failures, $0.metrics) }
        let key = Key(username: Self.normalized(username), address: address)
        let seconds = GCRA.wholeSeconds(gcra.delay(tat: failures.tat(key), now: GCRA.now()))
        if seconds > 0 { metrics?.loginThrottled() }
        return seconds
    }

    /// Milliseconds to wait before answering an attempt for `username`: how long until its
    /// ceiling across addresses has room again, at most a second.
    func slowdownMilliseconds(_ username: String) -> Int64 {
        let (gcra, failures) = state.withLock { ($0.perUsername, $0.failures) }
        let key = Key(username: Self.normalized(username), address: nil)
        let wait = gcra.delay(tat: failures.tat(key), now: GCRA.now())
        return min(Self.longestSlowdownMilliseconds, (wait + 999_999) / 1_000_000)
    }

    func recordFailure(_ username: String, from address: IPAddress) {
        let (perAddress, perUsername, failures) = state.withLock { ($0.perAddress, $0.perUsername, $0.failures) }
        let name = Self.normalized(username)
        let now = GCRA.now()
        Self.charge(Key(username: name, address: address), perAddress, in: failures, now: now)
        Self.charge(Key(username: name, address: nil), perUsername, in: failures, now: now)
    }

    /// Charged even past the limit (callers should not try then), capped so the wait never
    /// exceeds one window.
    private static func charge(_ key: Key, _ gcra: GCRA, in failures: KeyTable<Key>, now: Int64) {
        let tat = min(max(failures.tat(key) ?? now, now) + gcra.emissionInterval,
                      now + gcra.tolerance + gcra.emissionInterval)
        failures.store(key, tat: tat, now: now)
    }

    /// The client address of a login request a caller handed over, as the rate limiter sees it.
    func address(of request: OpaquePointer?) -> IPAddress {
        let (host, resolver) = state.withLock { ($0.host, $0.resolver) }
        guard let request, let host else { return Self.unknownAddress }
        return resolver.address(of: host.request(borrowing: request))
    }

    static func normalized(_ username: String) -> String {
        String(username.lowercased().utf8.prefix(256)) ?? ""
    }

    /// Allocated once, never freed: the host hands this pointer to the auth plugin.
    static let vtable = ServiceVTable(pointer: {
        let table = UnsafeMutablePointer<pattern_login_throttle_v1>.allocate(capacity: 1)
        table.initialize(to: pattern_login_throttle_v1(
            struct_size: UInt32(MemoryLayout<pattern_login_throttle_v1>.size),
            retry_after: { username in
                LoginThrottle.shared.retryAfter(username.string, from: LoginThrottle.unknownAddress)
            },
            record_failure: { username in
                LoginThrottle.shared.recordFailure(username.string, from: LoginThrottle.unknownAddress)
            },
            client_retry_after: { request, username in
                LoginThrottle.shared.retryAfter(username.string, from: LoginThrottle.shared.address(of: request))
            },
            record_client_failure: { request, username in
                LoginThrottle.shared.recordFailure(username.string, from: LoginThrottle.shared.address(of: request))
            },
            slowdown_milliseconds: { username in LoginThrottle.shared.slowdownMilliseconds(username.string) }))
        return UnsafeRawPointer(table)
    }())
}
