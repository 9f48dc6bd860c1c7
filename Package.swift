// swift-tools-version:6.0
// Pattern Server: a minimal host plus feature plugins loaded through a C ABI.
// No package dependencies: the toolchain and system C libraries only.
import PackageDescription

let strict: [SwiftSetting] = [.unsafeFlags(["-warnings-as-errors"])]

let package = Package(
    name: "pattern-server",
    products: [
        .executable(name: "pattern-server", targets: ["pattern-server"]),
        .library(name: "PluginKit", targets: ["PluginKit"]),
        // Unit tests for plugins without a socket: a fake host table that runs their routes.
        .library(name: "PluginKitTesting", targets: ["PluginKitTesting"]),
        // Plugins: each a shared library the host dlopens. Never a dependency of another target.
        .library(name: "HelloSwift", type: .dynamic, targets: ["HelloSwift"]),
        .library(name: "PatternAuth", type: .dynamic, targets: ["Auth"]),
        .library(name: "PatternMetrics", type: .dynamic, targets: ["Metrics"]),
        .library(name: "PatternRateLimit", type: .dynamic, targets: ["RateLimit"]),
        .library(name: "PatternAgents", type: .dynamic, targets: ["Agents"]),
        .library(name: "PatternGroups", type: .dynamic, targets: ["Groups"]),
        .library(name: "PatternProviders", type: .dynamic, targets: ["Providers"]),
        .library(name: "PatternChat", type: .dynamic, targets: ["Chat"]),
        .library(name: "PatternMCP", type: .dynamic, targets: ["MCP"]),
    ],
    targets: [
        // The contract: C headers only (the ABI, and vtables of named services between plugins).
        .target(name: "PluginABI", path: "Sources/PluginABI"),
        // System libraries and the few libc calls Glibc's Swift module lacks.
        .systemLibrary(name: "CSQLite", path: "Sources/CSQLite", pkgConfig: "sqlite3",
                       providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "COpenSSL", path: "Sources/COpenSSL", pkgConfig: "openssl",
                       providers: [.apt(["libssl-dev"])]),
        .target(name: "CShims", path: "Sources/CShims", linkerSettings: [.linkedLibrary("crypt")]),
        // Crypto shared by the host and PluginKit (HMAC, SHA-256, random, bcrypt, base64url).
        .target(name: "PatternCrypto", dependencies: ["COpenSSL", "CShims"], swiftSettings: strict),
        // Text shared by the host and PluginKit (and through it every plugin): JSON values
        // (parsing, writing, nesting), JSON strings, RFC 3339 timestamps, integers as decimal text.
        .target(name: "PatternText", swiftSettings: strict),
        // Locks for read-mostly state, shared by the host and plugins.
        .target(name: "PatternSync", swiftSettings: strict),
        .target(name: "Host", dependencies: ["PluginABI", "CShims", "CSQLite", "COpenSSL", "PatternCrypto", "PatternText",
                                            "PatternSync"],
                swiftSettings: strict),
        .executableTarget(name: "pattern-server", dependencies: ["Host"], swiftSettings: strict),
        .target(name: "PluginKit", dependencies: ["PluginABI", "PatternCrypto", "PatternText"], swiftSettings: strict),
        // Loads plugin libraries in-process and serves their routes from a fake host table
        // (in-memory SQLite). It links no plugin and not the Host, so any plugin can be tested.
        .target(name: "PluginKitTesting", dependencies: ["PluginABI", "CSQLite"], swiftSettings: strict),

        .target(name: "HelloSwift", dependencies: ["PluginKit"], path: "Examples/hello-swift",
                swiftSettings: strict),
        .target(name: "Auth",
                dependencies: ["PluginKit", "PluginABI", "PatternCrypto", "PatternSync", "AuthTokens", "AuthCaches"],
                path: "Plugins/Auth", exclude: ["Tokens", "Caches"], swiftSettings: strict),
        // The auth plugin's JSON Web Tokens, a module of their own so AuthTests can test them
        // without linking a second plugin entry point into the test bundle.
        .target(name: "AuthTokens", dependencies: ["PatternCrypto"], path: "Plugins/Auth/Tokens", swiftSettings: strict),
        // Its credential and verified-token caches, likewise, so AuthTests can fill their bounds.
        .target(name: "AuthCaches", dependencies: ["AuthTokens", "PatternSync"], path: "Plugins/Auth/Caches",
                swiftSettings: strict),
        .target(name: "Metrics", dependencies: ["PluginKit", "PluginABI", "PatternCrypto"], path: "Plugins/Metrics",
                swiftSettings: strict),
        .target(name: "RateLimit", dependencies: ["PluginKit", "PluginABI", "RateLimitBuckets"], path: "Plugins/RateLimit",
                exclude: ["Buckets"], swiftSettings: strict),
        // The rate limiter's GCRA and bounded LRU table, a module of their own for RateLimitTests.
        .target(name: "RateLimitBuckets", path: "Plugins/RateLimit/Buckets", swiftSettings: strict),
        .target(name: "Agents", dependencies: ["PluginKit", "PluginABI", "CShims"], path: "Plugins/Agents", swiftSettings: strict),
        .target(name: "Groups", dependencies: ["PluginKit", "PluginABI", "Coordination"], path: "Plugins/Groups",
                swiftSettings: strict),
        // Group routing planners (who answers a group message), side-effect free; the groups
        // plugin shares the round-robin rule with them.
        .target(name: "Coordination", dependencies: ["PluginKit"], swiftSettings: strict),
        .target(name: "Providers", dependencies: ["PluginKit", "PluginABI", "ProvidersInFlight"], path: "Plugins/Providers",
                exclude: ["InFlight"], swiftSettings: strict),
        // Its bounded table of calls in flight, a module of its own so ProvidersTests can fill it.
        .target(name: "ProvidersInFlight", path: "Plugins/Providers/InFlight", swiftSettings: strict),
        .target(name: "Chat", dependencies: ["PluginKit", "PluginABI", "Coordination"], path: "Plugins/Chat", swiftSettings: strict),
        .target(name: "MCP", dependencies: ["PluginKit", "PluginABI", "PatternCrypto"], path: "Plugins/MCP", swiftSettings: strict),

        .testTarget(name: "HostTests", dependencies: ["Host", "COpenSSL"], swiftSettings: strict),
        .testTarget(name: "PluginKitTests", dependencies: ["PluginKit", "PatternText", "PluginABI"], swiftSettings: strict),
        .testTarget(name: "CoordinationTests", dependencies: ["Coordination", "PluginKit"], swiftSettings: strict),
        .testTarget(name: "ChatTests", dependencies: ["Chat"], swiftSettings: strict),
        .testTarget(name: "AuthTests", dependencies: ["AuthTokens", "AuthCaches", "PatternCrypto"], swiftSettings: strict),
        .testTarget(name: "ProvidersTests", dependencies: ["ProvidersInFlight"], swiftSettings: strict),
        .testTarget(name: "RateLimitTests", dependencies: ["RateLimitBuckets"], swiftSettings: strict),
        .testTarget(name: "PatternTextTests", dependencies: ["PatternText"], swiftSettings: strict),
        // Every first-party plugin's routes through PluginKitTesting (the built libraries,
        // loaded as the host loads them).
        .testTarget(name: "PluginTests", dependencies: ["PluginKitTesting"], swiftSettings: strict),
    ],
    swiftLanguageModes: [.v6]
)
