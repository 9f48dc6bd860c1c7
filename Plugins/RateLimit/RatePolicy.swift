import PluginKit
import RateLimitBuckets

/// One rate-limit policy: `quota` requests per `window` seconds, at most `burst` at once,
/// per client key, for the requests its patterns match (the default policy: all others).
/// A class: the limiter hands one around per request, and copying its fields would cost a
/// retain each.
final class RatePolicy: Sendable {
    enum KeyKind: String, Sendable {
        /// API key id, else user id, else client IP.
        case principal
        /// Always the client IP (login and registration, before anyone is known).
        case ip
    }

    let name: String
    let quota: Int
    let windowSeconds: Int
    let burst: Int
    let key: KeyKind
    let patterns: [RoutePattern]
    let gcra: GCRA
    /// The `RateLimit-Policy` header value (draft-ietf-httpapi-ratelimit-headers-10).
    let policyHeader: String
    /// `"<name>";r=`, the start of every `RateLimit` header value.
    private let stateHeaderPrefix: [UInt8]
    /// Index in the limiter's policy list; part of every key, so policies never share state.
    let index: UInt16

    init(name: String, quota: Int, windowSeconds: Int, burst: Int, key: KeyKind, patterns: [RoutePattern],
         index: UInt16) {
        self.name = name
        self.quota = quota
        self.windowSeconds = windowSeconds
        self.burst = burst
        self.key = key
        self.patterns = patterns
        self.index = index
        gcra = GCRA(quota: quota, windowNanoseconds: Int64(windowSeconds) * 1_000_000_000, burst: burst)
        policyHeader = Self.policyHeader(name: name, quota: quota, window: windowSeconds)
        stateHeaderPrefix = Array("\"\(name)\";r=".utf8)
    }

    /// The policy for a credential with its own `rate_limit` (requests per minute): the same
    /// name, that quota per 60 s, and a burst no larger than the quota or this policy's. Nil when
    /// that rate is not below this policy's, unless `mayExceed` (an administrator's grant the
    /// operator allows): a credential never raises its own limit.
    func overridden(requestsPerMinute: Int, mayExceed: Bool) -> (GCRA, String)? {
        guard mayExceed || requestsPerMinute * windowSeconds < quota * 60 else { return nil }
        let burst = max(1, min(self.burst, requestsPerMinute))
        return (GCRA(quota: requestsPerMinute, windowNanoseconds: 60_000_000_000, burst: burst),
                Self.policyHeader(name: name, quota: requestsPerMinute, window: 60))
    }

    static func policyHeader(name: String, quota: Int, window: Int) -> String {
        "\"\(name)\";q=\(quota);w=\(window)"
    }

    /// The `RateLimit` header value: remaining quota and seconds until more arrives. Built as
    /// bytes (it changes with every request) from the prefix rendered once.
    func stateHeader(remaining: Int, seconds: Int64) -> [UInt8] {
        var value: [UInt8] = []
        value.reserveCapacity(stateHeaderPrefix.count + 24)
        value += stateHeaderPrefix
        DecimalText.append(max(0, remaining), to: &value)
        value += Self.secondsParameter
        DecimalText.append(max(0, seconds), to: &value)
        return value
    }

    private static let secondsParameter = Array(";t=".utf8)
}
