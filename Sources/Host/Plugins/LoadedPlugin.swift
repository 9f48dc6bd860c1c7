import PluginABI
import Synchronization

/// A started plugin: what its `pattern_plugin *` handle points to.
final class LoadedPlugin: Sendable {
    struct Health: Sendable {
        var level: Int32 = PATTERN_HEALTH_OK
        var message: String?
    }

    let file: PluginFile
    /// This plugin's config section as JSON, for `plugin_config`.
    let configJSON: PinnedBytes
    let nameBytes: PinnedBytes
    let versionBytes: PinnedBytes
    private let healthReport = Mutex(Health())
    /// Counts health reports from all plugins, so the health endpoint can tell cheaply that
    /// nothing changed since it last rendered them.
    static let healthReports = Atomic<UInt64>(0)
    /// Registration problems found during init (clashing routes, bad SQL ...): they stop the start.
    let registrationFailures = Mutex<[String]>([])
    /// Migrations registered so far, in order (each registration applies the pending ones).
    let migrations = Mutex<[(version: Int, sql: String)]>([])

    init(file: PluginFile, configJSON: String) {
        self.file = file
        self.configJSON = PinnedBytes(configJSON)
        nameBytes = PinnedBytes(file.name)
        versionBytes = PinnedBytes(file.version)
    }

    var name: String { file.name }

    /// The opaque handle given to the plugin; valid for the life of the process.
    var handle: OpaquePointer { OpaquePointer(Unmanaged.passUnretained(self).toOpaque()) }

    static func from(_ handle: OpaquePointer?) -> LoadedPlugin? {
        handle.map { Unmanaged<LoadedPlugin>.fromOpaque(UnsafeRawPointer($0)).takeUnretainedValue() }
    }

    var health: Health { healthReport.withLock { $0 } }

    func reportHealth(_ health: Health) {
        healthReport.withLock { $0 = health }
        Self.healthReports.add(1, ordering: .releasing)
    }

    func recordFailure(_ message: String) {
        registrationFailures.withLock { $0.append(message) }
    }
}
