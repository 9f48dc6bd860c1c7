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
    /// Fed by the host's WebSocket transport once it reports connections (a later ABI minor).
    let websocketConnections = AtomicLevel()
    let websocketMessagesIn = AtomicCount()
    let websocketMessagesOut = AtomicCount()
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
        http.render(into: &text)
        text.family("websocket_connections", .gauge,
                    help: "Open WebSocket connections (stays 0 until the host's WebSocket transport reports them).")
        text.sample("websocket_connections", [], Double(max(0, websocketConnections.current)))
        text.family("websocket_messages_total", .counter,
                    help: "WebSocket messages by direction (stays 0 until the host's WebSocket transport reports them).")
        text.sample("websocket_messages_total", [("direction", "in")], count: websocketMessagesIn.current)
        text.sample("websocket_messages_total", [("direction", "out")], count: websocketMessagesOut.current)
        for family in registry.all {
            family.render(into: &text)
        }
        return text.output
    }
}
