import Foundation
import PluginABI
import Synchronization

/// `GET /api/v1/health` (and `/api/health`): overall status, version, uptime, the database's
/// state and one entry per loaded plugin. The database is probed by a background thread so
/// this route never waits on it and can run inline on the event loop.
final class HealthEndpoint: Sendable {
    private let plugins: [LoadedPlugin]
    /// `{"name":"<plugin>","status":` for each plugin, rendered once: only the status and the
    /// message change between requests.
    private let servicePrefixes: [[UInt8]]
    /// `,"version":"<version>","uptime_seconds":`, rendered once.
    private let versionField: [UInt8]
    private let startedAt = MonotonicClock.nanoseconds()
    private let databaseHealthy = Atomic<Bool>(true)

    init(plugins: [LoadedPlugin], version: String, database: Database) {
        self.plugins = plugins
        servicePrefixes = plugins.enumerated().map { index, plugin in
            var prefix = Array((index == 0 ? #"{"name":"# : #",{"name":"#).utf8)
            JSONText.appendQuoted(plugin.name, to: &prefix)
            prefix.append(contentsOf: #","status":"#.utf8)
            return prefix
        }
        var field = Array(#","version":"#.utf8)
        JSONText.appendQuoted(version, to: &field)
        field.append(contentsOf: #","uptime_seconds":"#.utf8)
        versionField = field
        let probe = Thread { [self] in
            while true {
                let healthy = (try? database.execute("SELECT 1", [])) != nil
                self.databaseHealthy.store(healthy, ordering: .relaxed)
                sleep(5)
            }
        }
        probe.name = "health-probe"
        probe.start()
    }

    func routes() -> [Route] {
        ["/api/v1/health", "/api/health"].map { path in
            Route(method: "GET", template: path, plugin: "host", handler: .builtIn { [self] in respond($0) },
                  flags: UInt32(PATTERN_PUBLIC | PATTERN_INLINE), permission: nil,
                  openAPI: path == "/api/v1/health" ? Self.operation : nil)
        }
    }

    private func respond(_ context: RequestContext) {
        let databaseOK = databaseHealthy.load(ordering: .relaxed)
        let reports = plugins.map { plugin in plugin.health.withLock { $0 } }
        let worst = reports.map(\.level).max() ?? PATTERN_HEALTH_OK
        // One buffer, sized up front: the body is rebuilt for every request.
        var body: [UInt8] = []
        body.reserveCapacity(160 + servicePrefixes.reduce(0) { $0 + $1.count + 40 }
                             + reports.reduce(0) { $0 + ($1.message?.utf8.count ?? 0) })
        body.append(contentsOf: #"{"status":"#.utf8)
        let status = !databaseOK ? "\"unhealthy\"" : worst == PATTERN_HEALTH_OK ? "\"healthy\"" : "\"degraded\""
        body.append(contentsOf: status.utf8)
        body.append(contentsOf: versionField)
        ResponseSerializer.appendDecimal(Int((MonotonicClock.nanoseconds() - startedAt) / 1_000_000_000), to: &body)
        body.append(contentsOf: #","database_status":"#.utf8)
        body.append(contentsOf: (databaseOK ? "\"ok\"" : "\"error\"").utf8)
        body.append(contentsOf: #","services":["#.utf8)
        for (index, health) in reports.enumerated() {
            body.append(contentsOf: servicePrefixes[index])
            body.append(contentsOf: Self.levelName(health.level).utf8)
            body.append(contentsOf: #","message":"#.utf8)
            if let message = health.message {
                JSONText.appendQuoted(message, to: &body)
            } else {
                body.append(contentsOf: "null".utf8)
            }
            body.append(UInt8(ascii: "}"))
        }
        body.append(contentsOf: "]}".utf8)
        context.respondJSON(databaseOK ? 200 : 503, body)
    }

    private static func levelName(_ level: Int32) -> String {
        switch level {
        case PATTERN_HEALTH_OK: "\"ok\""
        case PATTERN_HEALTH_WARNING: "\"warning\""
        default: "\"error\""
        }
    }

    private static let operation = """
        {"summary":"Server health","tags":["health"],"security":[],"responses":{
        "200":{"description":"Healthy or degraded","content":{"application/json":{"schema":{"$ref":"#/components/schemas/Health"}}}},
        "503":{"description":"Unhealthy","content":{"application/json":{"schema":{"$ref":"#/components/schemas/Health"}}}}}}
        """
}
