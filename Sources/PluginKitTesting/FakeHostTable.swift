import PluginABI

/// The `pattern_host_v1` the test host hands to every plugin's `init`: every sub-table of ABI
/// 1.5, every slot filled (functions the test host cannot perform, such as outbound calls and
/// child processes, answer PATTERN_UNSUPPORTED). Each table's `struct_size` ends at the last
/// slot filled here, so slots a later header adds are never seen as present while NULL. Built
/// once and never freed, since plugins keep it; its functions act on the active `FakeHost`.
enum FakeHostTable {
    /// The ABI minor whose slots this table fills.
    static let abiMinor: UInt16 = 5

    // @unchecked: written once, before any plugin sees it, then only read.
    struct Table: @unchecked Sendable {
        let raw: UnsafePointer<pattern_host_v1>
    }

    static let shared = Table(raw: permanent({
        var host = sized(pattern_host_v1(), through: \.secrets)
        host.abi_major = UInt16(PATTERN_ABI_MAJOR)
        host.abi_minor = abiMinor
        host.core = permanent(core())
        host.log = permanent(log())
        host.http = permanent(http())
        host.db = permanent(database())
        host.services = permanent(services())
        host.events = permanent(events())
        host.ws = permanent(webSocket())
        host.metrics = permanent(sized(pattern_metrics_api(), through: \.struct_size))
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

    /// `value` with its `struct_size` (the first field) ending at `last`, its last slot filled here.
    static func sized<T, Field>(_ value: T, through last: KeyPath<T, Field>) -> T {
        var value = value
        let size = UInt32(MemoryLayout<T>.offset(of: last)! + MemoryLayout<Field>.size)
        withUnsafeMutableBytes(of: &value) { $0.storeBytes(of: size, as: UInt32.self) }
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
