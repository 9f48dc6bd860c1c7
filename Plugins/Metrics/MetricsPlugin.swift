import PluginABI
import PluginKit

/// Prometheus metrics on GET /metrics: HTTP traffic observed through the middleware phases,
/// process statistics, loaded plugins, and other plugins' own metrics ("metrics.v1").
enum MetricsPlugin: PatternPlugin {
    static let name = "metrics"
    static let version = "1.0.0"
    static let summary = "Prometheus metrics at GET /metrics; the metrics.v1 service for other plugins"

    static func setUp(_ host: PluginHost) throws {
        let config = try host.config(MetricsConfig.self)
        let exposition = Exposition.shared
        exposition.attach(host)
        let observer = RequestObserver(metrics: exposition.http)
        try host.middleware(.log, order: Int32.min, threading: .inline) { observer.requestFinished($0) }
        let access = config.access
        // Not inline: reading /proc and formatting run on a worker, never on the event loop.
        try host.route(.get, "/metrics", options: [.public], summary: "Prometheus metrics (text format 0.0.4)",
                       responds: [200: .text(PrometheusText.contentType, "Every metric family")],
                       errors: [401: "[metrics] access = \"token\" without the metrics token",
                                403: "[metrics] access = \"loopback\" (the default) for a client not on loopback"]) { request in
            if let refusal = access.refusal(request) {
                if refusal.status == 401 { request.addResponseHeader("WWW-Authenticate", "Bearer") }
                throw refusal
            }
            return Response(status: 200, headers: [("Content-Type", PrometheusText.contentType),
                                                   ("Cache-Control", "no-store")],
                            body: Array(exposition.render().utf8))
        }
        try host.provideService(PATTERN_METRICS_SERVICE_V1, vtable: MetricsService.vtable.pointer)
        host.reportHealth(.ok)
    }
}

@c(pattern_plugin_entry_v1)
public func patternPluginEntry() -> UnsafeRawPointer { PluginExport.descriptor(for: MetricsPlugin.self) }
