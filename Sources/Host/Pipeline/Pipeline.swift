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

    /// Whether the exchange may start on the network thread: when every middleware is inline
    /// (or inline unless blocking). A route that is not inline then moves to a worker at its
    /// handler, after authentication and rate limiting ran on the loop.
    func canRunInline(_ context: RequestContext) -> Bool {
        middlewareIsInline
    }

    /// Runs the exchange from `position` (0, or where an inline step would have blocked);
    /// when the handler deferred its response, only up to the handler (the rest runs when the
    /// plugin finishes it: `finishHead`, then `observe`). False when an inline step answered
    /// PATTERN_WOULD_BLOCK: the caller goes on with `run(_:from: context.resumePosition)` on
    /// a worker.
    @discardableResult
    func run(_ context: RequestContext, from position: Int = 0) -> Bool {
        if position == 0 && cors.answerPreflight(context) {
            observe(context)
            return true
        }
        if case .wouldBlock(let at) = front(context, from: position) {
            context.resumePosition = at
            return false
        }
        if context.isDeferred { return true }
        finishHead(context)
        observe(context)
        return true
    }

    /// The RESPONSE phase and CORS headers: once the response's head is final.
    func finishHead(_ context: RequestContext) {
        runPhase(.response, context)
        cors.decorate(context)
        if !context.response.isSet {
            context.respondError(500, "The server failed to produce a response.")
        }
    }

    /// The LOG phase and the access log: once the exchange is over.
    func observe(_ context: RequestContext) {
        runPhase(.log, context)
        accessLog.record(context)
    }

    /// Runs the phases up to rate limiting, for a credential check (on a thread that may
    /// block); true when none answered.
    func authenticate(_ context: RequestContext) -> Bool {
        if case .continued = runChain(context, 0..<phaseRanges[Int(MiddlewarePhase.authorize.rawValue)].lowerBound) {
            return true
        }
        return false
    }

    private enum Step {
        case continued, answered, wouldBlock(at: Int)
    }

    /// The resume position of the route's handler (middleware positions are chain indexes).
    private static let handlerPosition = Int.max

    /// Middleware up to the handler, then the handler, from `position` on.
    private func front(_ context: RequestContext, from position: Int) -> Step {
        let authorize = phaseRanges[Int(MiddlewarePhase.authorize.rawValue)]
        let handlerPhase = phaseRanges[Int(MiddlewarePhase.handler.rawValue)]
        let atHandler = position == Self.handlerPosition
        if !atHandler && position < authorize.lowerBound {
            let step = runChain(context, position..<authorize.lowerBound)
            guard case .continued = step else { return step }
        }
        guard let route = context.route else {
            if case .methodNotAllowed(let allow) = context.routeMiss {
                context.respondError(405, "Method \(context.methodString) is not allowed here.")
                context.response.addHeader("Allow", allow.joined(separator: ", "))
            } else {
                context.respondError(404, "No route matches this path.")
            }
            return .answered
        }
        if !atHandler {
            if position < authorize.upperBound {
                let step = runChain(context, max(position, authorize.lowerBound)..<authorize.upperBound)
                guard case .continued = step else { return step }
            }
            // Pure checks: repeating them after a resumed HANDLER-phase middleware is harmless.
            guard enforceAccessRules(route, context) else { return .answered }
            let step = runChain(context, max(position, handlerPhase.lowerBound)..<handlerPhase.upperBound)
            guard case .continued = step else { return step }
        }
        return handle(route, context)
    }

    private func handle(_ route: Route, _ context: RequestContext) -> Step {
        if !route.isInline && LoopThread.isCurrent && context.origin != nil { return .wouldBlock(at: Self.handlerPosition) }
        switch route.handler {
        case .builtIn(let handle):
            handle(context)
        case .plugin(let handle, let userdata):
            context.inHandler = true
            let status = handle(OpaquePointer(Unmanaged.passUnretained(context).toOpaque()), userdata.raw)
            context.inHandler = false
            if context.isDeferred { return .answered }  // finished later, by the plugin or the deadline
            if status == PATTERN_WOULD_BLOCK && !context.response.isSet && LoopThread.isCurrent {
                return .wouldBlock(at: Self.handlerPosition)
            }
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
        return .answered
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

    /// Runs the middleware at `positions` of the chain (phases up to HANDLER): answered when
    /// one stopped the chain, wouldBlock when an inline one must block (on a loop thread; on
    /// a worker that answer is a plugin bug, and the exchange fails).
    private func runChain(_ context: RequestContext, _ positions: Range<Int>) -> Step {
        guard !positions.isEmpty else { return .continued }
        let handle = OpaquePointer(Unmanaged.passUnretained(context).toOpaque())
        for index in positions {
            switch chain[index].run(handle, chain[index].userdata.raw) {
            case PATTERN_STOP:
                if !context.response.isSet { context.respondError(500, "The server failed to produce a response.") }
                return .answered
            case PATTERN_WOULD_BLOCK where !context.response.isSet:
                if LoopThread.isCurrent && context.origin != nil { return .wouldBlock(at: index) }
                logger.log(.error, "middleware would block where it may", ["plugin": chain[index].plugin])
                context.respondError(500, "The server failed to produce a response.")
                return .answered
            default:
                continue
            }
        }
        return .continued
    }

    /// Runs the RESPONSE or LOG phase: every middleware, whatever it answers.
    private func runPhase(_ phase: MiddlewarePhase, _ context: RequestContext) {
        let range = phaseRanges[Int(phase.rawValue)]
        guard !range.isEmpty else { return }
        let handle = OpaquePointer(Unmanaged.passUnretained(context).toOpaque())
        for index in range { _ = chain[index].run(handle, chain[index].userdata.raw) }
    }
}
