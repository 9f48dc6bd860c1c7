import PluginABI

/// A C callback and the userdata a plugin registered with it.
// @unchecked: plain addresses that the plugin keeps valid for the life of the process.
struct Callback<Function>: @unchecked Sendable {
    let function: Function?
    let userdata: UnsafeMutableRawPointer?
}

/// A vtable a plugin provides under a service name.
// @unchecked: the provider keeps the vtable alive and unchanged for the life of the process.
struct ServiceTable: @unchecked Sendable {
    let vtable: UnsafeRawPointer
}

/// A route as a plugin registered it through `http->add_route`.
struct RegisteredRoute: Sendable {
    let plugin: String
    let method: String
    /// Pinned once: each route's template keeps one address (the ABI promises it).
    let template: PinnedBytes
    let handler: Callback<pattern_handler_fn>
    let flags: UInt32
    let permission: PinnedBytes
    let openAPI: String

    var isPublic: Bool { flags & UInt32(PATTERN_PUBLIC) != 0 }
    var requiresAdmin: Bool { flags & UInt32(PATTERN_ADMIN) != 0 }

    /// The {param} values when `path` matches the template, else nil.
    func parameters(matching path: String) -> [String: String]? {
        let pattern = template.str.text.split(separator: "/", omittingEmptySubsequences: false)
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        guard pattern.count == segments.count else { return nil }
        var parameters: [String: String] = [:]
        for (expected, actual) in zip(pattern, segments) {
            if expected.hasPrefix("{") && expected.hasSuffix("}") {
                guard !actual.isEmpty, let decoded = String(actual).removingPercentEncoding else { return nil }
                parameters[String(expected.dropFirst().dropLast())] = decoded
            } else if expected != actual {
                return nil
            }
        }
        return parameters
    }
}

/// A middleware as a plugin registered it through `http->add_middleware`.
struct RegisteredMiddleware: Sendable {
    let plugin: String
    let phase: Int32
    let order: Int32
    let run: Callback<pattern_middleware_fn>

    /// The host's order: phase, then `order`, ties broken by plugin name.
    static func precedes(_ a: RegisteredMiddleware, _ b: RegisteredMiddleware) -> Bool {
        (a.phase, a.order, a.plugin) < (b.phase, b.order, b.plugin)
    }
}

/// An event published on the bus (or to event-socket subscribers through `ws->publish`).
public struct TestEvent: Sendable, Equatable {
    public let topic: String
    public let json: String
}

/// A line a plugin logged.
public struct TestLogLine: Sendable, Equatable {
    public let plugin: String
    public let level: Int32
    public let message: String
}
