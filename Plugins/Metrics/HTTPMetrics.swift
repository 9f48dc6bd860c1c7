import Synchronization

/// The HTTP server's metrics, fed by the observer middleware: requests by method, route
/// template and status, latency and body sizes by method and route, requests in flight.
/// Each thread writes its own stripe (a map keyed by (method, route) whose lock and counters
/// it alone uses, in practice), so requests on different cores never contend; a scrape sums
/// the stripes. The route set is bounded by the registered routes plus "unmatched".
final class HTTPMetrics: Sendable {
    static let unmatchedRoute = "unmatched"

    struct RouteKey: Hashable, Sendable {
        let method: UInt8
        let route: String
    }

    final class RouteSeries: Sendable {
        let key: RouteKey
        let statuses = StatusCounts()
        let duration = HistogramCells(bounds: HistogramCells.durationBounds)
        let requestSize = HistogramCells(bounds: HistogramCells.sizeBounds)
        let responseSize = HistogramCells(bounds: HistogramCells.sizeBounds)

        init(key: RouteKey) { self.key = key }

        var labels: [(String, String)] {
            [("method", HTTPMethodLabel.names[Int(key.method)]), ("route", key.route)]
        }
    }

    /// A stripe's lookup key: the method and the host's route id, no string hashing per request.
    private struct FastKey: Hashable {
        let method: UInt8
        let routeID: UInt
    }

    private final class Stripe: Sendable {
        let routes = Mutex<[FastKey: RouteSeries]>([:])
    }

    private let stripes = (0..<ThreadStripe.count).map { _ in Stripe() }

    /// `route` is only evaluated the first time a stripe sees this (method, route id).
    func record(method: UInt8, routeID: UInt, route: () -> String, status: Int, seconds: Double, requestBytes: Int,
                responseBytes: Int) {
        let fastKey = FastKey(method: method, routeID: routeID)
        let series = stripes[ThreadStripe.current].routes.withLock { routes in
            if let existing = routes[fastKey] { return existing }
            let template = route()
            let created = RouteSeries(key: RouteKey(method: method, route: template.isEmpty ? Self.unmatchedRoute : template))
            routes[fastKey] = created
            return created
        }
        series.statuses.record(status)
        series.duration.observe(seconds)
        series.requestSize.observe(Double(requestBytes))
        series.responseSize.observe(Double(responseBytes))
    }

    /// Per (method, route): the stripes' series for it, by route then method.
    private var allSeries: [[RouteSeries]] {
        let grouped = Dictionary(grouping: stripes.flatMap { stripe in stripe.routes.withLock { Array($0.values) } },
                                 by: \.key)
        return grouped.values.sorted {
            ($0[0].key.route, $0[0].key.method) < ($1[0].key.route, $1[0].key.method)
        }
    }

    /// `inFlight` comes from the host's transport, which counts every request it parsed.
    func render(into text: inout PrometheusText, inFlight: UInt64) {
        let series = allSeries
        text.family("http_requests_total", .counter,
                    help: "HTTP requests answered, by method, route template (\"unmatched\" when no route matched) and status.")
        for route in series {
            let totals = route.flatMap(\.statuses.counts).reduce(into: [Int: UInt64]()) { $0[$1.0, default: 0] += $1.1 }
            for (status, count) in totals.sorted(by: { $0.key < $1.key }) {
                text.sample("http_requests_total", route[0].labels + [("status", String(status))], count: count)
            }
        }
        text.family("http_request_duration_seconds", .histogram,
                    help: "Time from the request's first byte to its response being ready, by method and route template.")
        for route in series {
            text.histogram("http_request_duration_seconds", route[0].labels, bounds: route[0].duration.bounds,
                           .merged(route.map(\.duration.snapshot)))
        }
        text.family("http_request_size_bytes", .histogram, help: "Request body sizes, by method and route template.")
        for route in series {
            text.histogram("http_request_size_bytes", route[0].labels, bounds: route[0].requestSize.bounds,
                           .merged(route.map(\.requestSize.snapshot)))
        }
        text.family("http_response_size_bytes", .histogram, help: "Response body sizes, by method and route template.")
        for route in series {
            text.histogram("http_response_size_bytes", route[0].labels, bounds: route[0].responseSize.bounds,
                           .merged(route.map(\.responseSize.snapshot)))
        }
        text.family("http_requests_in_flight", .gauge,
                    help: "Requests received and not yet answered.")
        text.sample("http_requests_in_flight", [], Double(inFlight))
    }

    static let familyNames: Set<String> = ["http_requests_total", "http_request_duration_seconds",
                                           "http_request_size_bytes", "http_response_size_bytes",
                                           "http_requests_in_flight"]
}
