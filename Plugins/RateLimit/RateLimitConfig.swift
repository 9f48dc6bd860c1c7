/// The `[ratelimit]` section. Every key is optional:
///
/// ```toml
/// [ratelimit]
/// trusted_proxies = ["127.0.0.1", "10.0.0.0/8"]    # X-Forwarded-For is believed only from these
/// max_keys = 100000                               # client keys kept; the least recently used go first
/// exempt = ["/api/v1/health", "/api/health", "/metrics"]
/// ipv6_key_prefix = 64                            # IPv6 clients are keyed by their /64
/// allow_key_limits_above_policy = false           # an admin-granted key rate_limit may exceed its policy
/// [ratelimit.default]                             # every request no other policy matches
/// requests = 600
/// window_seconds = 60
/// burst = 100
/// [ratelimit.policies.auth]                       # built in; a table of that name overrides its keys
/// routes = ["/api/v1/auth/login", "/api/auth", "/api/v1/auth/refresh", "POST /api/v1/users"]
/// requests = 10
/// window_seconds = 60
/// burst = 5
/// key = "ip"                                      # or "principal"; enabled = false switches it off
/// [ratelimit.login]                               # failed logins (ratelimit.login.v1)
/// max_failures = 5                                # per username and client address, then 429
/// max_failures_per_username = 20                  # from all addresses, then each answer waits up to 1 s
/// window_seconds = 300
/// ```
/// A request matching several policies takes the one with the most specific pattern.
/// Unknown keys and bad values refuse the start with the key named.
struct RateLimitConfig: Decodable {
    var trustedProxies: [IPNetwork] = []
    var maxKeys = 100_000
    var exempt = ["/api/v1/health", "/api/health", "/metrics"].compactMap(RoutePattern.init)
    var ipv6KeyPrefix = 64
    var allowKeyLimitsAbovePolicy = false
    var policies: [RatePolicy] = []
    var defaultPolicy: RatePolicy
    var loginFailures = 5
    var loginFailuresPerUsername = 20
    var loginWindowSeconds = 300

    struct Problem: Error, CustomStringConvertible {
        let description: String
    }

    struct PolicySettings: Decodable {
        var routes: [String]?
        var requests: Int?
        var windowSeconds: Int?
        var burst: Int?
        var key: String?
        var enabled: Bool?

        enum CodingKeys: String, CodingKey, CaseIterable {
            case routes, requests, windowSeconds = "window_seconds", burst, key, enabled
        }
    }

    static let builtInPolicies: [String: PolicySettings] = [
        "auth": PolicySettings(routes: ["/api/v1/auth/login", "/api/auth", "/api/v1/auth/refresh", "POST /api/v1/users"],
                               requests: 10, windowSeconds: 60, burst: 5, key: "ip", enabled: true),
    ]
    static let builtInDefault = PolicySettings(routes: nil, requests: 600, windowSeconds: 60, burst: 100,
                                               key: "principal", enabled: true)

    init(from decoder: any Decoder) throws {
        let section = try decoder.container(keyedBy: DynamicKey.self)
        try Self.refuseUnknown(section, "ratelimit",
                               ["trusted_proxies", "max_keys", "exempt", "ipv6_key_prefix",
                                "allow_key_limits_above_policy", "default", "policies", "login"])
        if let proxies = try Self.value([String].self, section, "trusted_proxies", "ratelimit") {
            trustedProxies = try proxies.map { text throws(Problem) in
                guard let network = IPNetwork(text) else {
                    throw Problem(description: "ratelimit.trusted_proxies: \"\(text)\" is not an IP address or CIDR block")
                }
                return network
            }
        }
        if let value = try Self.value(Int.self, section, "max_keys", "ratelimit") {
            guard (1...100_000_000).contains(value) else {
                throw Problem(description: "ratelimit.max_keys: expected an integer from 1 to 100000000")
            }
            maxKeys = value
        }
        if let value = try Self.value(Int.self, section, "ipv6_key_prefix", "ratelimit") {
            guard (1...128).contains(value) else {
                throw Problem(description: "ratelimit.ipv6_key_prefix: expected an integer from 1 to 128")
            }
            ipv6KeyPrefix = value
        }
        if let allowed = try Self.value(Bool.self, section, "allow_key_limits_above_policy", "ratelimit") {
            allowKeyLimitsAbovePolicy = allowed
        }
        if let patterns = try Self.value([String].self, section, "exempt", "ratelimit") {
            exempt = try patterns.map { try Self.pattern($0, "ratelimit.exempt") }
        }
        var defaults = Self.builtInDefault
        if section.contains(DynamicKey("default")) {
            let nested = try section.nestedContainer(keyedBy: DynamicKey.self, forKey: DynamicKey("default"))
            try Self.refuseUnknown(nested, "ratelimit.default", ["requests", "window_seconds", "burst"])
            defaults = try Self.merge(defaults, section.decode(PolicySettings.self, forKey: DynamicKey("default")),
                                      "ratelimit.default")
        }
        var configured = Self.builtInPolicies
        if section.contains(DynamicKey("policies")) {
            let nested = try section.nestedContainer(keyedBy: DynamicKey.self, forKey: DynamicKey("policies"))
            for name in nested.allKeys.map(\.stringValue) {
                let path = "ratelimit.policies.\(name)"
                let fields = try nested.nestedContainer(keyedBy: DynamicKey.self, forKey: DynamicKey(name))
                try Self.refuseUnknown(fields, path, PolicySettings.CodingKeys.allCases.map(\.rawValue))
                let settings = try Self.decoded(nested, name, path)
                configured[name] = try Self.merge(configured[name] ?? PolicySettings(), settings, path)
            }
        }
        var index: UInt16 = 0
        for (name, settings) in configured.sorted(by: { $0.key < $1.key }) where settings.enabled ?? true {
            let path = "ratelimit.policies.\(name)"
            guard let routes = settings.routes, !routes.isEmpty else {
                throw Problem(description: "\(path).routes: a policy needs at least one route pattern")
            }
            policies.append(try Self.policy(name, settings, routes.map { try Self.pattern($0, "\(path).routes") },
                                            index: index, path))
            index += 1
        }
        defaultPolicy = try Self.policy("default", defaults, [], index: index, "ratelimit.default")
        if section.contains(DynamicKey("login")) {
            let login = try section.nestedContainer(keyedBy: DynamicKey.self, forKey: DynamicKey("login"))
            try Self.refuseUnknown(login, "ratelimit.login",
                                   ["max_failures", "max_failures_per_username", "window_seconds"])
            if let value = try Self.value(Int.self, login, "max_failures", "ratelimit.login") {
                guard (1...1000).contains(value) else {
                    throw Problem(description: "ratelimit.login.max_failures: expected an integer from 1 to 1000")
                }
                loginFailures = value
            }
            if let value = try Self.value(Int.self, login, "max_failures_per_username", "ratelimit.login") {
                guard (1...100_000).contains(value) else {
                    throw Problem(
                        description: "ratelimit.login.max_failures_per_username: expected an integer from 1 to 100000")
                }
                loginFailuresPerUsername = value
            }
            if let value = try Self.value(Int.self, login, "window_seconds", "ratelimit.login") {
                guard (1...86_400).contains(value) else {
                    throw Problem(description: "ratelimit.login.window_seconds: expected an integer from 1 to 86400")
                }
                loginWindowSeconds = value
            }
        }
    }

    private static func policy(_ name: String, _ settings: PolicySettings, _ patterns: [RoutePattern], index: UInt16,
                               _ path: String) throws(Problem) -> RatePolicy {
        let requests = settings.requests ?? 0
        let window = settings.windowSeconds ?? 60
        let burst = settings.burst ?? requests
        guard (1...10_000_000).contains(requests) else {
            throw Problem(description: "\(path).requests: expected an integer from 1 to 10000000")
        }
        guard (1...86_400).contains(window) else {
            throw Problem(description: "\(path).window_seconds: expected an integer from 1 to 86400")
        }
        guard (1...10_000_000).contains(burst) else {
            throw Problem(description: "\(path).burst: expected an integer from 1 to 10000000")
        }
        guard let key = RatePolicy.KeyKind(rawValue: settings.key ?? "principal") else {
            throw Problem(description: "\(path).key: expected \"principal\" or \"ip\"")
        }
        guard name.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") })
        else { throw Problem(description: "\(path): a policy name must be visible ASCII without quotes") }
        return RatePolicy(name: name, quota: requests, windowSeconds: window, burst: burst, key: key,
                          patterns: patterns, index: index)
    }

    private static func merge(_ base: PolicySettings, _ override: PolicySettings, _ path: String) throws(Problem)
        -> PolicySettings
    {
        PolicySettings(routes: override.routes ?? base.routes, requests: override.requests ?? base.requests,
                       windowSeconds: override.windowSeconds ?? base.windowSeconds, burst: override.burst ?? base.burst,
                       key: override.key ?? base.key, enabled: override.enabled ?? base.enabled)
    }

    private static func pattern(_ text: String, _ path: String) throws(Problem) -> RoutePattern {
        guard let pattern = RoutePattern(text) else {
            throw Problem(description: "\(path): \"\(text)\" is not a route pattern like \"POST /api/v1/users\" or \"/api/v1/auth/**\"")
        }
        return pattern
    }

    private static func decoded(_ container: KeyedDecodingContainer<DynamicKey>, _ name: String, _ path: String)
        throws(Problem) -> PolicySettings
    {
        do {
            return try container.decode(PolicySettings.self, forKey: DynamicKey(name))
        } catch {
            throw Problem(description: "\(path): routes must be strings, requests, window_seconds and burst integers, key a string, enabled a boolean")
        }
    }

    private static func value<T: Decodable>(_ type: T.Type, _ container: KeyedDecodingContainer<DynamicKey>,
                                            _ key: String, _ path: String) throws(Problem) -> T? {
        do {
            return try container.decodeIfPresent(T.self, forKey: DynamicKey(key))
        } catch {
            let expected = T.self == Int.self ? "an integer" : T.self == Bool.self ? "true or false" : "a list of strings"
            throw Problem(description: "\(path).\(key): expected \(expected)")
        }
    }

    private static func refuseUnknown(_ container: KeyedDecodingContainer<DynamicKey>, _ path: String,
                                      _ known: [String]) throws(Problem) {
        if let unknown = container.allKeys.map(\.stringValue).sorted().first(where: { !known.contains($0) }) {
            throw Problem(description: "\(path).\(unknown): unknown key (known: \(known.joined(separator: ", ")))")
        }
    }
}

struct DynamicKey: CodingKey {
    let stringValue: String
    var intValue: Int? { nil }
    init(_ stringValue: String) { self.stringValue = stringValue }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}
