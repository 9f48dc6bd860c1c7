import PluginKit
import Synchronization

/// Everything GET /metrics shows, rendered in one pass: build and plugin info, process, HTTP,
/// WebSocket, then the families other plugins defined. Rendering copies series references
/// under short shard locks and reads counters without locks, so it never holds up requests.
final class Exposition: Sendable {
    /// One per process: the C service functions reach it here.
    static let shared = Exposition()

    let http = HTTPMetrics()
    let registry = MetricRegistry(reserved: Exposition.ownFamilyNames)
    private let host = Mutex<PluginHost?>(nil)

    static let ownFamilyNames: Set<String> = HTTPMetrics.familyNames.union(ProcessMetrics.familyNames).union([
        "pattern_build_info", "pattern_plugins_loaded", "websocket_connections", "websocket_messages_total",
    ])

    func attach(_ host: PluginHost) {
        self.host.withLock { $0 = host }
    }

    func render() -> String {
        var text = PrometheusText()
        if let host = host.withLock({ $0 }) {
            text.family("pattern_build_info", .gauge, help: "Always 1; labelled with the server's version.")
            text.sample("pattern_build_info", [("version", host.hostVersion)], 1)
            text.family("pattern_plugins_loaded", .gauge, help: "Always 1 for each loaded plugin, by name and version.")
            for plugin in host.loadedPlugins {
                text.sample("pattern_plugins_loaded", [("name", plugin.name), ("version", plugin.version)], 1)
            }
        }
        ProcessMetrics.render(into: &text)
        let transport = host.withLock { $0 }?.transportStats
        http.render(into: &text, inFlight: transport?.requestsInFlight ?? 0)
        text.family("websocket_connections", .gauge, help: "Open WebSocket connections.")
        text.sample("websocket_connections", [], Double(transport?.webSocketConnections ?? 0))
        text.family("websocket_messages_total", .counter,
                    help: "WebSocket data messages: received from clients (in), queued to clients (out).")
        text.sample("websocket_messages_total", [("direction", "in")], count: transport?.webSocketMessagesReceived ?? 0)
        text.sample("websocket_messages_total", [("direction", "out")], count: transport?.webSocketMessagesSent ?? 0)
        for family in registry.all {
            family.render(into: &text)
        }
        return text.output
    }
}
