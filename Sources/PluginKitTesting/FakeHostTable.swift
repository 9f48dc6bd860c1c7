import PluginABI

/// The `pattern_host_v1` the test host hands to every plugin's `init`: every sub-table of
/// this header's minor, every slot filled (functions the test host cannot perform, such as
/// outbound calls and child processes, answer PATTERN_UNSUPPORTED). Built once and never
/// freed, since plugins keep it; its functions act on the active `FakeHost`.
enum FakeHostTable {
    // @unchecked: written once, before any plugin sees it, then only read.
    struct Table: @unchecked Sendable {
        let raw: UnsafePointer<pattern_host_v1>
    }

    static let shared = Table(raw: permanent({
        var host = pattern_host_v1()
        host.struct_size = UInt32(MemoryLayout<pattern_host_v1>.size)
        host.abi_major = UInt16(PATTERN_ABI_MAJOR)
        host.abi_minor = UInt16(PATTERN_ABI_MINOR)
        host.core = permanent(core())
        host.log = permanent(log())
        host.http = permanent(http())
        host.db = permanent(database())
        host.services = permanent(services())
        host.events = permanent(events())
        host.ws = permanent(webSocket())
        host.metrics = permanent(sized(pattern_metrics_api()))
        host.config = permanent(config())
        host.responses = permanent(responses())
        host.timers = permanent(timers())
        host.client = permanent(client())
        host.process = permanent(process())
        host.secrets = permanent(secrets())
        return host
    }()))

    static func permanent<T>(_ value: T) -> UnsafePointer<T> {
        let pointer = UnsafeMutablePointer<T>.allocate(capacity: 1)
        pointer.initialize(to: value)
        return UnsafePointer(pointer)
    }

    /// `value` with its `struct_size` (the first field) set to its full size.
    static func sized<T>(_ value: T) -> T {
        var value = value
        withUnsafeMutableBytes(of: &value) { $0.storeBytes(of: UInt32(MemoryLayout<T>.size), as: UInt32.self) }
        return value
    }

    /// The active host, or `fallback` when none is (a plugin calling after its test ended).
    static func withHost<R>(_ fallback: R, _ body: (FakeHost) -> R) -> R {
        guard let host = FakeHost.active else { return fallback }
        return body(host)
    }

    /// Registration is allowed only while the plugins' `init` runs.
    static func registering(_ body: (FakeHost) -> pattern_status) -> pattern_status {
        FakeHostTable.withHost(PATTERN_STATE) { host in
            host.state.withLock { $0.initializing } ? body(host) : PATTERN_STATE
        }
    }

    static var empty: pattern_str { pattern_str(ptr: nil, len: 0) }
}
