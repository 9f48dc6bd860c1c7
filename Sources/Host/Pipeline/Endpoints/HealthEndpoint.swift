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
        var worst = PATTERN_HEALTH_OK
        var body: [UInt8] = []
        body.reserveCapacity(256)
        body.append(contentsOf: #"{"status":"#.utf8)
        var services: [UInt8] = []
        for (index, plugin) in plugins.enumerated() {
            let health = plugin.health.withLock { $0 }
            worst = max(worst, health.level)
            services.append(contentsOf: servicePrefixes[index])
            services.append(contentsOf: Self.levelName(health.level).utf8)
            services.append(contentsOf: #","message":"#.utf8)
            if let message = health.message {
                JSONText.appendQuoted(message, to: &services)
            } else {
                services.append(contentsOf: "null".utf8)
            }
            services.append(UInt8(ascii: "}"))
        }
        let status = !databaseOK ? "\"unhealthy\"" : worst == PATTERN_HEALTH_OK ? "\"healthy\"" : "\"degraded\""
        body.append(contentsOf: status.utf8)
        body.append(contentsOf: versionField)
        ResponseSerializer.appendDecimal(Int((MonotonicClock.nanoseconds() - startedAt) / 1_000_000_000), to: &body)
        body.append(contentsOf: #","database_status":"#.utf8)
        body.append(contentsOf: (databaseOK ? "\"ok\"" : "\"error\"").utf8)
        body.append(contentsOf: #","services":["#.utf8)
        body.append(contentsOf: services)
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
