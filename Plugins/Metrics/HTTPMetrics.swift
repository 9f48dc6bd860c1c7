import Glibc
import Synchronization

/// The HTTP server's metrics, fed by the observer middleware: requests by method, route
/// template and status, latency and body sizes by method and route.
/// Each thread that runs requests records into series of its own, found through its
/// thread-local table, so recording takes no lock, hashes no string and never shares a cache
/// line with another core; a scrape adds up the threads' series. The route set is bounded by
/// the registered routes plus "unmatched".
final class HTTPMetrics: Sendable {
    static let unmatchedRoute = "unmatched"

    private let tableKey = ThreadSeriesTable.makeKey()
    /// Every thread's series, for scrapes; a thread adds one when it first meets a (method, route).
    private let published = Mutex<[RouteSeries]>([])

    /// `route` (the template) is only evaluated the first time a thread sees this (method, route id).
    func record(method: UInt8, routeID: UInt, route: () -> String, status: Int, seconds: Double, requestBytes: Int,
                responseBytes: Int) {
        let table = ThreadSeriesTable.current(tableKey)
        let series: RouteSeries
        if let existing = table.pointee.series(method: method, routeID: routeID) {
            series = existing
        } else {
            let template = route()
            series = RouteSeries(key: .init(method: method, route: template.isEmpty ? Self.unmatchedRoute : template))
            table.pointee.insert(series, method: method, routeID: routeID)
            published.withLock { $0.append(series) }
        }
        series.record(status: status, seconds: seconds, requestBytes: requestBytes, responseBytes: responseBytes)
    }

    /// Per (method, route): the threads' series for it, by route then method.
    private var allSeries: [[RouteSeries]] {
        Dictionary(grouping: published.withLock { $0 }, by: \.key).values.sorted {
            ($0[0].key.route, $0[0].key.method) < ($1[0].key.route, $1[0].key.method)
        }
    }

    /// `inFlight` comes from the host's transport, which counts every request it parsed.
    func render(into text: inout PrometheusText, inFlight: UInt64) {
        let series = allSeries
        text.family("http_requests_total", .counter,
                    help: "HTTP requests answered, by method, route template (\"unmatched\" when no route matched) and status.")
        for route in series {
            let totals = route.flatMap { $0.statuses.counts }.reduce(into: [Int: UInt64]()) { $0[$1.0, default: 0] += $1.1 }
            for (status, count) in totals.sorted(by: { $0.key < $1.key }) {
                text.sample("http_requests_total", route[0].labels + [("status", String(status))], count: count)
            }
        }
        text.family("http_request_duration_seconds", .histogram,
                    help: "Time from the request's first byte to its response being ready, by method and route template.")
        for route in series {
            text.histogram("http_request_duration_seconds", route[0].labels, bounds: RouteSeries.durationBounds,
                           .merged(route.map { $0.duration.snapshot(unit: 1e-9) }))
        }
        text.family("http_request_size_bytes", .histogram, help: "Request body sizes, by method and route template.")
        for route in series {
            text.histogram("http_request_size_bytes", route[0].labels, bounds: RouteSeries.sizeBounds,
                           .merged(route.map { $0.requestSize.snapshot(unit: 1) }))
        }
        text.family("http_response_size_bytes", .histogram, help: "Response body sizes, by method and route template.")
        for route in series {
            text.histogram("http_response_size_bytes", route[0].labels, bounds: RouteSeries.sizeBounds,
                           .merged(route.map { $0.responseSize.snapshot(unit: 1) }))
        }
        text.family("http_requests_in_flight", .gauge,
                    help: "Requests received and not yet answered.")
        text.sample("http_requests_in_flight", [], Double(inFlight))
    }

    static let familyNames: Set<String> = ["http_requests_total", "http_request_duration_seconds",
                                           "http_request_size_bytes", "http_response_size_bytes",
                                           "http_requests_in_flight"]
}
