import PluginKit
import RateLimitBuckets

/// The RATE_LIMIT middleware: picks the request's policy and client key, charges the key's
/// GCRA bucket, adds the draft-10 `RateLimit-Policy` and `RateLimit` headers, and answers 429
/// with `Retry-After` when the bucket is empty. INLINE: a lock on one shard, no blocking.
struct RateLimiter: Sendable {
    let policies: [RatePolicy]
    let defaultPolicy: RatePolicy
    /// Exempt paths without wildcards (the usual case: health, metrics), compared byte for byte
    /// before any path parsing; the rest of the exempt patterns are matched segment by segment.
    let exemptPaths: [[UInt8]]
    let exemptPatterns: [RoutePattern]
    let resolver: ClientAddressResolver
    /// `[ratelimit] allow_key_limits_above_policy`: honour a principal's admin-granted limit above its policy.
    let allowKeyLimitsAbovePolicy: Bool
    let keys: KeyTable<RateKey>
    let observer: RateLimitMetrics

    func run(_ request: Request) -> PluginHost.MiddlewareOutcome {
        let path = request.pathBytes
        if exemptPaths.contains(where: { RoutePattern.equal($0, path) }) { return .next }
        let method = request.methodBytes
        if exemptPatterns.contains(where: { $0.matches(method: method, path: path) }) { return .next }
        let policy = policy(method: method, path: path)
        var gcra = policy.gcra
        var policyHeader = policy.policyHeader
        let key: RateKey
        if policy.key == .principal, let principal = request.principal {
            if let keyID = principal.apiKeyID {
                key = .credential(.apiKey, keyID, policy: policy.index)
            } else {
                key = .credential(.user, principal.userID, policy: policy.index)
            }
            if principal.rateLimit > 0, let own = policy.overridden(
                requestsPerMinute: Int(min(principal.rateLimit, 10_000_000)),
                mayExceed: allowKeyLimitsAbovePolicy && principal.rateLimitAbovePolicy) {
                (gcra, policyHeader) = own
            }
        } else {
            key = .address(resolver.address(of: request), policy: policy.index)
        }
        let (decision, changed) = keys.charge(key, gcra, now: GCRA.now())
        if changed { observer.keysChanged(count: keys.count, evictions: keys.evictions) }
        request.addResponseHeader("RateLimit-Policy", policyHeader)
        request.addResponseHeader("RateLimit", bytes: policy.stateHeader(remaining: decision.remaining,
                                                                         seconds: GCRA.wholeSeconds(decision.nextUnit)))
        guard !decision.allowed else { return .next }
        observer.limited(policy: policy.name)
        let retryAfter = max(1, GCRA.wholeSeconds(decision.retryAfter))
        request.addResponseHeader("Retry-After", String(retryAfter))
        return .error(HTTPError(status: 429, type: "rate_limit", message: "Too many requests; retry in \(retryAfter) s."),
                      on: request)
    }

    /// The most specific matching policy, else the default.
    private func policy(method: UnsafeRawBufferPointer, path: UnsafeRawBufferPointer) -> RatePolicy {
        var best: (policy: RatePolicy, score: Int)?
        for policy in policies {
            for pattern in policy.patterns where pattern.matches(method: method, path: path) {
                if best == nil || pattern.specificity > best!.score { best = (policy, pattern.specificity) }
            }
        }
        return best?.policy ?? defaultPolicy
    }
}
