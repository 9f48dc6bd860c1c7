import PluginKit

/// The two observer middleware: PRE_ROUTE counts a request in flight, LOG counts it out and
/// records it. Both are INLINE (a few uncontended per-thread updates), so they never move a
/// request off the event loop.
struct RequestObserver: Sendable {
    let metrics: HTTPMetrics
    /// CORS preflights are answered before PRE_ROUTE, yet pass LOG: with CORS enabled, LOG
    /// recognises them so they are not counted out without having been counted in.
    let corsEnabled: Bool

    func requestArrived(_ request: Request) -> PluginHost.MiddlewareOutcome {
        metrics.requestArrived()
        return .next
    }

    func requestFinished(_ request: Request) -> PluginHost.MiddlewareOutcome {
        let method = request.withMethodBytes(HTTPMethodLabel.index)
        if !(corsEnabled && isPreflight(request, method: method)) { metrics.requestLeft() }
        metrics.record(method: method, route: request.routeTemplate, status: request.responseStatus,
                       seconds: request.elapsedSeconds, requestBytes: request.bodySize,
                       responseBytes: request.responseBodySize)
        return .next
    }

    private func isPreflight(_ request: Request, method: UInt8) -> Bool {
        HTTPMethodLabel.names[Int(method)] == "OPTIONS" && request.header("origin") != nil
            && request.header("access-control-request-method") != nil
    }
}
