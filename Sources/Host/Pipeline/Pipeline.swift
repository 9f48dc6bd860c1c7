import PluginABI

/// Runs a routed request through the middleware phases and its handler (DESIGN.md):
/// PRE_ROUTE → AUTHENTICATE → RATE_LIMIT → AUTHORIZE (+ the route's own access rules) →
/// HANDLER → RESPONSE → LOG. A middleware that answers stops the chain up to RESPONSE;
/// RESPONSE and LOG always run. Immutable after start, shared by every thread.
final class Pipeline: Sendable {
    let router: Router
    /// Every middleware, phase by phase, each phase in its order; `phaseRanges` says where
    /// each phase's run is (one flat array: running a phase retains nothing).
    private let chain: [Middleware]
    private let phaseRanges: [Range<Int>]
    private let cors: CORSPolicy
    private let accessLog: AccessLog
    private let logger: Logger
    /// True when every middleware is inline, so inline routes (and 404s) may run on the loop.
    let middlewareIsInline: Bool

    init(router: Router, middleware: [Middleware], cors: CORSPolicy, logger: Logger) {
        self.router = router
        let phases = MiddlewarePhase.allCases.map { phase in
            middleware.filter { $0.phase == phase }.sorted(by: Middleware.precedes)
        }
        chain = phases.flatMap { $0 }
        var start = 0
        phaseRanges = phases.map { phase in
            defer { start += phase.count }
            return start..<start + phase.count
        }
        self.cors = cors
        self.logger = logger
        accessLog = AccessLog(logger: logger)
        middlewareIsInline = middleware.allSatisfy(\.isInline)
    }

    /// The chain as it will run, for the start-up log.
    var chainDescription: String {
        let steps = MiddlewarePhase.allCases.flatMap { phase in
            chain[phaseRanges[Int(phase.rawValue)]].map { "\(phase.name):\($0.plugin)(\($0.order))" }
        }
        return steps.isEmpty ? "(no middleware)" : steps.joined(separator: " → ")
    }

    /// Matches the route; done on the event loop so it can decide where the request runs.
    func route(_ context: RequestContext) {
        switch router.match(method: context.method, path: context.path, base: context.head.path.lowerBound) {
        case .found(let route, let parameters):
            context.route = route
            context.parameterRanges = parameters
        case let miss:
            context.routeMiss = miss
        }
    }

    /// Whether the whole exchange may run on the network thread.
    func canRunInline(_ context: RequestContext) -> Bool {
        middlewareIsInline && (context.route?.isInline ?? true)
    }

    /// Runs the exchange; when the handler deferred its response, only up to the handler
    /// (the rest runs when the plugin finishes it: `finishHead`, then `observe`).
    func run(_ context: RequestContext) {
        if cors.answerPreflight(context) {
            observe(context)
            return
        }
        if authenticate(context) { dispatch(context) }
        if context.deferred != nil { return }
        finishHead(context)
        observe(context)
    }

    /// The RESPONSE phase and CORS headers: once the response's head is final.
    func finishHead(_ context: RequestContext) {
        _ = runPhase(.response, context)
        cors.decorate(context)
        if !context.response.isSet {
            context.respondError(500, "The server failed to produce a response.")
        }
    }

    /// The LOG phase and the access log: once the exchange is over.
    func observe(_ context: RequestContext) {
        _ = runPhase(.log, context)
        accessLog.record(context)
    }

    /// Runs the phases up to rate limiting, for a credential check; true when none answered.
    func authenticate(_ context: RequestContext) -> Bool {
        !runPhase(.preRoute, context) && !runPhase(.authenticate, context) && !runPhase(.rateLimit, context)
    }

    private func dispatch(_ context: RequestContext) {
        guard let route = context.route else {
            if case .methodNotAllowed(let allow) = context.routeMiss {
                context.respondError(405, "Method \(context.methodString) is not allowed here.")
                context.response.addHeader("Allow", allow.joined(separator: ", "))
            } else {
                context.respondError(404, "No route matches this path.")
            }
            return
        }
        if runPhase(.authorize, context) || !enforceAccessRules(route, context) || runPhase(.handler, context) {
            return
        }
        switch route.handler {
        case .builtIn(let handle):
            handle(context)
        case .plugin(let handle, let userdata):
            context.inHandler = true
            let status = handle(OpaquePointer(Unmanaged.passUnretained(context).toOpaque()), userdata.raw)
            context.inHandler = false
            if context.deferred != nil { return }  // finished later, by the plugin or the deadline
            if status != PATTERN_OK && !context.response.isSet {
                logger.log(.error, "handler failed", [
                    "plugin": route.plugin, "route": route.template, "status": String(status),
                    "request_id": String(decoding: context.requestID, as: UTF8.self),
                ])
                context.respondError(500, "The server failed to handle this request.")
            } else if !context.response.isSet {
                context.response.status = context.response.body.isEmpty ? 204 : 200
            }
        }
    }

    /// The route's declared rules: a principal unless PUBLIC, admin for ADMIN, and its permission.
    private func enforceAccessRules(_ route: Route, _ context: RequestContext) -> Bool {
        if route.isPublic { return true }
        guard let principal = context.principal else {
            context.respondError(401, "Authentication is required.")
            context.response.addHeader("WWW-Authenticate", "Bearer")
            return false
        }
        if route.requiresAdmin && !principal.isAdmin {
            context.respondError(403, "This operation requires an administrator.")
            return false
        }
        if let permission = route.permission, !principal.holds(permission) {
            context.respondError(403, "Missing permission: \(permission).")
            return false
        }
        return true
    }

    /// Runs one phase; returns true when a middleware answered and stopped the chain.
    private func runPhase(_ phase: MiddlewarePhase, _ context: RequestContext) -> Bool {
        let range = phaseRanges[Int(phase.rawValue)]
        guard !range.isEmpty else { return false }
        let handle = OpaquePointer(Unmanaged.passUnretained(context).toOpaque())
        for index in range where chain[index].run(handle, chain[index].userdata.raw) == PATTERN_STOP {
            if phase == .response || phase == .log { continue }
            if !context.response.isSet {
                context.respondError(500, "The server failed to produce a response.")
            }
            return true
        }
        return false
    }
}
