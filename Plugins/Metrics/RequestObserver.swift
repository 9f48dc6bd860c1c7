import PluginKit

/// The LOG-phase observer: records each finished request (the host counts requests in
/// flight itself). INLINE: a few uncontended per-thread updates, so it never moves a request
/// off the event loop.
struct RequestObserver: Sendable {
    let metrics: HTTPMetrics

    func requestFinished(_ request: Request) -> PluginHost.MiddlewareOutcome {
        let exchange = request.exchangeSummary
        metrics.record(method: HTTPMethodLabel.index(exchange.methodBytes), routeID: exchange.routeID,
                       route: { request.routeTemplate }, status: exchange.status, seconds: exchange.elapsedSeconds,
                       requestBytes: exchange.requestBodySize, responseBytes: exchange.responseBodySize)
        return .next
    }
}
