import PluginABI

/// The `pattern_host_v1` table handed to every plugin's init: built once, never freed,
/// never changed. Each sub-table is filled by its own `HostTable+*.swift` file. No slot is
/// NULL: what the host does not support answers PATTERN_UNSUPPORTED.
enum HostTable {
    /// Process-lifetime pointer to the table.
    static let shared: HostTablePointer = {
        var host = pattern_host_v1()
        host.struct_size = ABIStruct.size(of: pattern_host_v1.self)
        host.abi_major = UInt16(PATTERN_ABI_MAJOR)
        host.abi_minor = UInt16(PATTERN_ABI_MINOR)
        host.core = UnsafePointer(pin(makeCore()))
        host.log = UnsafePointer(pin(makeLog()))
        host.http = UnsafePointer(pin(makeHTTP()))
        host.db = UnsafePointer(pin(makeDatabase()))
        host.services = UnsafePointer(pin(makeServices()))
        host.events = UnsafePointer(pin(makeEvents()))
        host.ws = UnsafePointer(pin(makeWebSocket()))
        var metrics = pattern_metrics_api()
        metrics.struct_size = ABIStruct.size(of: pattern_metrics_api.self)
        host.metrics = UnsafePointer(pin(metrics))
        host.config = UnsafePointer(pin(makeConfig()))
        host.responses = UnsafePointer(pin(makeResponses()))
        host.timers = UnsafePointer(pin(makeTimers()))
        host.client = UnsafePointer(pin(makeClient()))
        host.process = UnsafePointer(pin(makeProcess()))
        host.secrets = UnsafePointer(pin(makeSecrets()))
        host.json = UnsafePointer(pin(makeJSON()))
        host.cli = UnsafePointer(pin(makeCLI()))
        return HostTablePointer(raw: UnsafePointer(pin(host)))
    }()

    private static func pin<T>(_ value: T) -> UnsafeMutablePointer<T> {
        let pointer = UnsafeMutablePointer<T>.allocate(capacity: 1)
        pointer.initialize(to: value)
        return pointer
    }

    /// The runtime the callbacks act on; nil only before start, when no plugin can call.
    static var runtime: PluginRuntime? { PluginRuntime.installed() }
}

// @unchecked: points to immutable tables allocated once and never freed.
struct HostTablePointer: @unchecked Sendable {
    let raw: UnsafePointer<pattern_host_v1>
}
