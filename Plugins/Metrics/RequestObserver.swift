import PluginKit

/// The LOG-phase observer: records each finished request (the host counts requests in
/// flight itself). INLINE: a few uncontended per-thread updates, so it never moves a request
/// off the event loop.
struct RequestObserver: Sendable {
    let metrics: HTTPMetrics

    func requestFinished(_ request: Request) -> PluginHost.MiddlewareOutcome {
        metrics.record(method: HTTPMethodLabel.index(request.methodBytes), routeID: request.routeID,
                       route: { request.routeTemplate },
                       status: request.responseStatus, seconds: request.elapsedSeconds,
                       requestBytes: request.bodySize, responseBytes: request.responseBodySize)
        return .next
    }
}
