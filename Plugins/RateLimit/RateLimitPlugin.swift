import PluginABI
import PluginKit

/// GCRA rate limiting in phase RATE_LIMIT, keyed by API key, user or client address, with
/// per-route policies and the draft-10 RateLimit headers; plus the login throttle (per username
/// and address, with a slow-down per username) other plugins reach as "ratelimit.login.v1".
enum RateLimitPlugin: PatternPlugin {
    static let name = "ratelimit"
    static let version = "1.0.0"
    static let summary = "GCRA rate limits per API key, user or IP; RateLimit headers; login throttle"

    static func setUp(_ host: PluginHost) throws {
        let config = try host.config(RateLimitConfig.self)
        let metrics = RateLimitMetrics(host.metrics)
        let resolver = ClientAddressResolver(trustedProxies: config.trustedProxies, ipv6KeyPrefix: config.ipv6KeyPrefix)
        let limiter = RateLimiter(
            policies: config.policies, defaultPolicy: config.defaultPolicy,
            exemptPaths: config.exempt.compactMap(\.exactPath),
            exemptPatterns: config.exempt.filter { $0.exactPath == nil }, resolver: resolver,
            allowKeyLimitsAbovePolicy: config.allowKeyLimitsAbovePolicy, keys: KeyTable(maxKeys: config.maxKeys),
            observer: metrics)
        try host.middleware(.rateLimit, threading: .inline) { limiter.run($0) }
        LoginThrottle.shared.configure(config, resolver: resolver, host: host, metrics: metrics)
        try host.provideService(PATTERN_LOGIN_THROTTLE_SERVICE_V1, vtable: LoginThrottle.vtable.pointer)
        let policies = (config.policies + [config.defaultPolicy]).map {
            "\($0.name): \($0.quota)/\($0.windowSeconds)s burst \($0.burst) by \($0.key.rawValue)"
        }
        host.log(.info, "policies: \(policies.joined(separator: "; ")); max_keys \(config.maxKeys); admin-granted key "
                 + "limits above policy \(config.allowKeyLimitsAbovePolicy ? "allowed" : "capped")")
        host.reportHealth(.ok)
    }
}

@c(pattern_plugin_entry_v1)
public func patternPluginEntry() -> UnsafeRawPointer { PluginExport.descriptor(for: RateLimitPlugin.self) }
