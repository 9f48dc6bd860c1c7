import PluginKit
import Synchronization

/// The plugin's own metrics, through the metrics plugin when it is loaded (no-ops otherwise):
/// requests refused per policy, client keys held, keys evicted because the table was full.
final class RateLimitMetrics: Sendable {
    private let limitedTotal: Metrics.Counter
    private let keysGauge: Metrics.Gauge
    private let evictionsTotal: Metrics.Counter
    private let loginThrottledTotal: Metrics.Counter
    /// Last values reported, so the service is called only when they change.
    private let reportedKeys = Atomic<Int>(-1)
    private let reportedEvictions = Atomic<Int>(0)

    init(_ metrics: Metrics) {
        limitedTotal = metrics.counter("ratelimit_limited_total", help: "Requests answered 429, by policy.",
                                       labels: ["policy"])
        keysGauge = metrics.gauge("ratelimit_keys", help: "Client keys whose rate-limit state is kept.")
        evictionsTotal = metrics.counter("ratelimit_evictions_total",
                                         help: "Client keys forgotten early because max_keys was reached.")
        loginThrottledTotal = metrics.counter(
            "ratelimit_login_throttled_total",
            help: "Login attempts refused because the username failed too often from that address.")
    }

    func limited(policy: String) { limitedTotal.increment([policy]) }

    func loginThrottled() { loginThrottledTotal.increment() }

    func keysChanged(count: Int, evictions: Int) {
        if reportedKeys.exchange(count, ordering: .relaxed) != count { keysGauge.set(Double(count)) }
        let previous = reportedEvictions.exchange(evictions, ordering: .relaxed)
        if evictions > previous { evictionsTotal.increment(by: Double(evictions - previous)) }
    }
}
