import Foundation
import PluginABI

/// Runs plugins in-process, without a socket, for unit tests: it loads their libraries, hands
/// each `init` a fake host table (routes, middleware, an in-memory SQLite database with the
/// host's semantics, named services, the event bus, config), and sends requests through the
/// routes and middleware they registered, so a test speaks only method, path and JSON.
///
///     let app = try TestHost(plugins: ["PatternAuth", "PatternAgents"])
///     let created = try app.request(.post, "/api/v1/agents", json: ["name": "scout"], as: .user("usr_1"))
///     #expect(created.status == 201)
///
/// What needs the network is not there: the host's own routes (health, the OpenAPI document,
/// the event socket), WebSocket connections, outbound calls and child processes
/// (PATTERN_UNSUPPORTED). Timers fire; deferred and streamed responses are awaited.
///
/// One test host is active at a time in a process (the plugins' libraries are loaded once and
/// shared), so a second one waits until the first is gone: run suites that use it serialized.
public final class TestHost {
    public enum Method: String, Sendable {
        case get = "GET", post = "POST", put = "PUT", patch = "PATCH", delete = "DELETE", head = "HEAD", options = "OPTIONS"
    }

    private let host: FakeHost
    private let dataDirectory: URL
    private var shutdowns: [Callback<@convention(c) () -> Void>] = []
    private var requestCount = 0
    /// How long `request` waits for a deferred response before answering 504.
    public var deferredTimeoutSeconds = 10.0

    /// Loads `plugins` in order (a plugin's `requires` must come before it) and runs their
    /// `init`. A name is a library in the build directory (`"PatternAgents"` for
    /// `libPatternAgents.so`, see `buildDirectory`); a name with a "/" is a path.
    /// `config` holds each plugin's config section as JSON by plugin name (`["auth":
    /// #"{"bcrypt_cost":4}"#]`); `settings` the host settings by dotted key, as JSON.
    public init(plugins: [String], config: [String: String] = [:], settings: [String: String] = [:]) throws {
        Self.turn.wait()
        dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("pattern-test-\(UUID().uuidString)")
        do {
            try FileManager.default.createDirectory(at: dataDirectory, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
            host = try FakeHost(pluginConfig: config, settings: settings, dataDirectory: dataDirectory.path)
        } catch {
            Self.turn.signal()
            throw error
        }
        FakeHost.activate(host)
        for plugin in plugins { try load(Self.libraryPath(plugin)) }
        host.state.withLock { $0.initializing = false }
    }

    deinit {
        for shutdown in shutdowns.reversed() { shutdown.function?() }
        FakeHost.activate(nil)
        try? FileManager.default.removeItem(at: dataDirectory)
        Self.turn.signal()
    }

    /// Held by the live test host.
    private static let turn = DispatchSemaphore(value: 1)

    /// Where `swift build` put the plugin libraries: beside the test executable, unless
    /// PATTERN_PLUGIN_BUILD_DIR says otherwise.
    public static var buildDirectory: URL {
        if let configured = ProcessInfo.processInfo.environment["PATTERN_PLUGIN_BUILD_DIR"] {
            return URL(fileURLWithPath: configured)
        }
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? CommandLine.arguments[0]
        return URL(fileURLWithPath: executable).deletingLastPathComponent()
    }

    private static func libraryPath(_ plugin: String) -> String {
        plugin.contains("/") ? plugin : buildDirectory.appendingPathComponent("lib\(plugin).so").path
    }

    private func load(_ path: String) throws {
        guard let library = dlopen(path, RTLD_NOW | RTLD_LOCAL) else {
            throw TestHostError(description: "\(path): \(String(cString: dlerror()))")
        }
        guard let symbol = dlsym(library, PATTERN_ENTRY_SYMBOL_V1) else {
            throw TestHostError(description: "\(path) exports no \(PATTERN_ENTRY_SYMBOL_V1)")
        }
        typealias Entry = @convention(c) () -> UnsafePointer<pattern_plugin_descriptor>?
        guard let descriptor = unsafeBitCast(symbol, to: Entry.self)()?.pointee,
              descriptor.abi_major == PATTERN_ABI_MAJOR, let initialize = descriptor.`init` else {
            throw TestHostError(description: "\(path): not a plugin of ABI major \(PATTERN_ABI_MAJOR)")
        }
        let name = descriptor.name.text
        let index = try host.state.withLock { state in
            let loaded = Set(state.plugins.map { $0.name.str.text })
            if let missing = (0..<descriptor.requires_count).map({ descriptor.requires[$0].text }).first(where: {
                !loaded.contains($0)
            }) {
                throw TestHostError(description: "\(name) requires \(missing): load it first")
            }
            state.plugins.append((PinnedBytes(name), PinnedBytes(descriptor.version.text)))
            return state.plugins.count - 1
        }
        var error = pattern_error()
        error.struct_size = UInt32(MemoryLayout<pattern_error>.size)
        let status = initialize(FakeHostTable.shared.raw, FakeHost.handle(forPlugin: index), &error)
        guard status == PATTERN_OK else {
            let message = withUnsafeBytes(of: error.message) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            throw TestHostError(description: "\(name) failed to start (status \(status)): \(message)")
        }
        shutdowns.append(Callback(function: descriptor.shutdown, userdata: nil))
    }

    // MARK: - Requests

    /// Sends a request through the plugins' middleware and the matching route. `path` may
    /// carry a query string; `json` is serialised as the body with `Content-Type:
    /// application/json`; `as` sets the principal before AUTHENTICATE, as a credential would.
    public func request(_ method: Method, _ path: String, json: Any? = nil, body: [UInt8] = [],
                        headers: [String: String] = [:], as principal: TestPrincipal? = nil) throws -> TestResponse {
        var headerList = headers.map { ($0.key, $0.value) }
        var bytes = body
        if let json {
            bytes = Array(try JSONSerialization.data(withJSONObject: json, options: [.fragmentsAllowed]))
            if headers.keys.allSatisfy({ $0.lowercased() != "content-type" }) {
                headerList.append(("Content-Type", "application/json"))
            }
        }
        let parts = path.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        requestCount += 1
        let match = route(method.rawValue, String(parts[0]))
        let exchange = TestExchange(
            method: method.rawValue, path: String(parts[0]), query: parts.count > 1 ? String(parts[1]) : "",
            headers: headerList, body: bytes, requestID: "req_test_\(requestCount)", route: match.route,
            pathParameters: match.parameters, principal: principal)
        run(exchange, allowed: match.allowed)
        return exchange.response()
    }

    private struct RouteMatch {
        var route: RegisteredRoute?
        var parameters: [String: String] = [:]
        /// The methods the path allows when none matched this one (405).
        var allowed: [String] = []
    }

    /// The most specific route for the path (a literal segment beats a {param} at the first
    /// place they differ); HEAD is served by GET.
    private func route(_ method: String, _ path: String) -> RouteMatch {
        let routes = host.state.withLock { $0.routes }
        let candidates = routes.compactMap { route in route.parameters(matching: path).map { (route, $0) } }
        func specificity(_ route: RegisteredRoute) -> [Bool] {
            route.template.str.text.split(separator: "/").map { !$0.hasPrefix("{") }
        }
        let wanted = method == "HEAD" ? "GET" : method
        let best = candidates.filter { $0.0.method == wanted }.max {
            specificity($0.0).lexicographicallyPrecedes(specificity($1.0)) { !$0 && $1 }
        }
        guard let best else { return RouteMatch(allowed: Array(Set(candidates.map(\.0.method))).sorted()) }
        return RouteMatch(route: best.0, parameters: best.1)
    }

    /// The host's pipeline: PRE_ROUTE, AUTHENTICATE, RATE_LIMIT; 404/405 when no route
    /// matched; AUTHORIZE; the route's own rules (principal, admin, permission); HANDLER; the
    /// handler (waiting for a deferred response); then RESPONSE and LOG, always.
    private func run(_ exchange: TestExchange, allowed: [String]) {
        let chain = host.state.withLock { $0.middleware }.sorted(by: RegisteredMiddleware.precedes)
        func phase(_ phase: Int32) -> [RegisteredMiddleware] { chain.filter { $0.phase == phase } }
        let answered = runChain(phase(PATTERN_PHASE_PRE_ROUTE) + phase(PATTERN_PHASE_AUTHENTICATE)
                                + phase(PATTERN_PHASE_RATE_LIMIT), exchange)
            || routeMissing(exchange, allowed: allowed)
            || runChain(phase(PATTERN_PHASE_AUTHORIZE), exchange)
            || refusedByAccessRules(exchange)
            || runChain(phase(PATTERN_PHASE_HANDLER), exchange)
        if !answered { handle(exchange) }
        for middleware in phase(PATTERN_PHASE_RESPONSE) + phase(PATTERN_PHASE_LOG) {
            _ = middleware.run.function?(exchange.handle, middleware.run.userdata)
        }
        if exchange.state.withLock({ $0.status == 0 }) {
            exchange.respondError(status: 500, type: nil, message: "The server failed to produce a response.", fieldsJSON: nil)
        }
    }

    /// True when a middleware stopped the chain.
    private func runChain(_ chain: [RegisteredMiddleware], _ exchange: TestExchange) -> Bool {
        for middleware in chain where middleware.run.function?(exchange.handle, middleware.run.userdata) == PATTERN_STOP {
            if exchange.state.withLock({ $0.status == 0 }) {
                exchange.respondError(status: 500, type: nil, message: "The server failed to produce a response.",
                                      fieldsJSON: nil)
            }
            return true
        }
        return false
    }

    private func routeMissing(_ exchange: TestExchange, allowed: [String]) -> Bool {
        guard exchange.route == nil else { return false }
        if allowed.isEmpty {
            exchange.respondError(status: 404, type: nil, message: "No route matches this path.", fieldsJSON: nil)
        } else {
            exchange.respondError(status: 405, type: nil, message: "Method \(exchange.method.str.text) is not allowed here.",
                                  fieldsJSON: nil)
            exchange.state.withLock { $0.responseHeaders.append(("Allow", allowed.joined(separator: ", "))) }
        }
        return true
    }

    private func refusedByAccessRules(_ exchange: TestExchange) -> Bool {
        guard let route = exchange.route, !route.isPublic else { return false }
        guard let principal = exchange.state.withLock({ $0.principal?.principal }) else {
            exchange.respondError(status: 401, type: nil, message: "Authentication is required.", fieldsJSON: nil)
            exchange.state.withLock { $0.responseHeaders.append(("WWW-Authenticate", "Bearer")) }
            return true
        }
        if route.requiresAdmin && !principal.isAdmin {
            exchange.respondError(status: 403, type: nil, message: "This operation requires an administrator.", fieldsJSON: nil)
            return true
        }
        let permission = route.permission.str.text
        if !permission.isEmpty && !principal.holds(permission) {
            exchange.respondError(status: 403, type: nil, message: "Missing permission: \(permission).", fieldsJSON: nil)
            return true
        }
        return false
    }

    private func handle(_ exchange: TestExchange) {
        guard let route = exchange.route, let handler = route.handler.function else { return }
        let status = handler(exchange.handle, route.handler.userdata)
        if exchange.state.withLock({ $0.deferred }) {
            if exchange.finished.wait(timeout: .now() + deferredTimeoutSeconds) == .timedOut {
                host.state.withLock { $0.pending = $0.pending.filter { $0.value !== exchange } }
                exchange.respondError(status: 504, type: "gateway_timeout", message: "The deferred response was not finished.",
                                      fieldsJSON: nil)
            }
            return
        }
        let failedWithoutResponse = exchange.state.withLock { state in
            guard state.status == 0 else { return false }
            if status != PATTERN_OK { return true }
            state.status = state.responseBody.isEmpty ? 204 : 200
            return false
        }
        if failedWithoutResponse {
            exchange.respondError(status: 500, type: nil, message: "The server failed to handle this request.", fieldsJSON: nil)
        }
    }

    // MARK: - What the plugins did

    /// Every event published on the bus so far, oldest first.
    public var events: [TestEvent] { host.state.withLock { $0.events } }

    /// The events whose topic starts with `prefix`.
    public func events(topic prefix: String) -> [TestEvent] { events.filter { $0.topic.hasPrefix(prefix) } }

    /// Messages sent to event-socket subscribers through `ws->publish`.
    public var socketMessages: [TestEvent] { host.state.withLock { $0.socketMessages } }

    /// Every line the plugins logged.
    public var logs: [TestLogLine] { host.state.withLock { $0.logs } }

    /// The health level each plugin reported (PATTERN_HEALTH_*), by plugin name.
    public var health: [String: Int32] { host.state.withLock { $0.health } }

    /// The registered routes as "METHOD /template", in registration order.
    public var routes: [String] { host.state.withLock { $0.routes.map { "\($0.method) \($0.template.str.text)" } } }

    /// The OpenAPI operation a route registered (empty when none).
    public func openAPI(_ method: Method, _ template: String) -> String? {
        host.state.withLock { $0.routes.first { $0.method == method.rawValue && $0.template.str.text == template }?.openAPI }
    }
}
