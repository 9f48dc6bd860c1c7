import Foundation
import PatternText
import PluginABI
import Synchronization

/// `GET /api/v1/health` (and `/api/health`): overall status, version, uptime, the database's
/// state and one entry per loaded plugin. The database is probed by a background thread so
/// this route never waits on it and can run inline on the event loop. Everything but the
/// uptime changes only when a plugin reports its health or the probe changes its mind, so
/// that is rendered once per change and each request only adds the uptime.
final class HealthEndpoint: Sendable {
    private let plugins: [LoadedPlugin]
    private let version: String
    private let startedAt = MonotonicClock.nanoseconds()
    private let databaseHealthy = Atomic<Bool>(true)

    /// The body before and after the uptime, for one state of the reports and the database.
    private struct Rendering: Sendable {
        let reports: UInt64
        let databaseOK: Bool
        let status: Int
        let beforeUptime: [UInt8]
        let afterUptime: [UInt8]
    }

    private let rendering = Mutex<Rendering?>(nil)

    init(plugins: [LoadedPlugin], version: String, database: Database) {
        self.plugins = plugins
        self.version = version
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

    /// Both paths answer alike, so both publish the same operation.
    func routes() -> [Route] {
        ["/api/v1/health", "/api/health"].map { path in
            Route(method: "GET", template: path, plugin: "host", handler: .builtIn { [self] in respond($0) },
                  flags: UInt32(PATTERN_PUBLIC | PATTERN_INLINE), permission: nil, openAPI: Self.operation)
        }
    }

    private func respond(_ context: RequestContext) {
        // The count first: a report landing after it makes the next request render again.
        let reports = LoadedPlugin.healthReports.load(ordering: .acquiring)
        let databaseOK = databaseHealthy.load(ordering: .relaxed)
        let current = rendering.withLock { cached in
            if let cached, cached.reports == reports, cached.databaseOK == databaseOK { return cached }
            let fresh = render(reports: reports, databaseOK: databaseOK)
            cached = fresh
            return fresh
        }
        var body: [UInt8] = []
        body.reserveCapacity(current.beforeUptime.count + 20 + current.afterUptime.count)
        body += current.beforeUptime
        DecimalText.append(Int((MonotonicClock.nanoseconds() - startedAt) / 1_000_000_000), to: &body)
        body += current.afterUptime
        context.respondJSON(current.status, body)
    }

    private func render(reports: UInt64, databaseOK: Bool) -> Rendering {
        let healths = plugins.map(\.health)
        let worst = healths.map(\.level).max() ?? PATTERN_HEALTH_OK
        var before = Array(#"{"status":"#.utf8)
        let status = !databaseOK ? "\"unhealthy\"" : worst == PATTERN_HEALTH_OK ? "\"healthy\"" : "\"degraded\""
        before += status.utf8
        before += #","version":"#.utf8
        JSONString.append(version, to: &before)
        before += #","uptime_seconds":"#.utf8
        var after = Array(#","database_status":"#.utf8)
        after += (databaseOK ? "\"ok\"" : "\"error\"").utf8
        after += #","services":["#.utf8
        for (index, (plugin, health)) in zip(plugins, healths).enumerated() {
            after += (index == 0 ? #"{"name":"# : #",{"name":"#).utf8
            JSONString.append(plugin.name, to: &after)
            after += #","status":"#.utf8
            after += Self.levelName(health.level).utf8
            after += #","message":"#.utf8
            if let message = health.message {
                JSONString.append(message, to: &after)
            } else {
                after += "null".utf8
            }
            after.append(UInt8(ascii: "}"))
        }
        after += "]}".utf8
        return Rendering(reports: reports, databaseOK: databaseOK, status: databaseOK ? 200 : 503,
                         beforeUptime: before, afterUptime: after)
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
