import PluginABI
import Synchronization

/// Builds the C descriptor for a `PatternPlugin` and bridges its init and shutdown: the single
/// place where a Swift plugin meets the ABI's entry point, and where every error is caught.
public enum PluginExport {
    private struct Exported: Sendable {
        let descriptor: DescriptorStorage
        let setUp: @Sendable (PluginHost) throws -> Void
        let shutDown: @Sendable () -> Void
    }

    // @unchecked: the descriptor is written once, before any reader can see it, then never changed.
    private struct DescriptorStorage: @unchecked Sendable {
        let pointer: UnsafeMutablePointer<pattern_plugin_descriptor>
    }

    /// One plugin per library: PluginKit is linked statically into each plugin, so this is
    /// that plugin's own slot.
    private static let exported = Mutex<Exported?>(nil)

    /// The descriptor to return from `pattern_plugin_entry_v1`. Idempotent, side-effect free
    /// for the host: it only builds static data on first call.
    public static func descriptor<Plugin: PatternPlugin>(for plugin: Plugin.Type) -> UnsafeRawPointer {
        exported.withLock { slot in
            if let existing = slot { return UnsafeRawPointer(existing.descriptor.pointer) }
            let requires = UnsafeMutablePointer<pattern_str>.allocate(capacity: max(Plugin.requires.count, 1))
            for (index, name) in Plugin.requires.enumerated() { requires[index] = permanentABIString(name) }
            var descriptor = pattern_plugin_descriptor()
            descriptor.struct_size = UInt32(MemoryLayout<pattern_plugin_descriptor>.size)
            descriptor.abi_major = UInt16(PATTERN_ABI_MAJOR)
            descriptor.abi_minor = UInt16(PATTERN_ABI_MINOR)
            descriptor.name = permanentABIString(Plugin.name)
            descriptor.version = permanentABIString(Plugin.version)
            descriptor.description = permanentABIString(Plugin.summary)
            descriptor.requires = UnsafePointer(requires)
            descriptor.requires_count = Plugin.requires.count
            descriptor.`init` = { host, handle, error in PluginExport.initialize(host, handle, error) }
            descriptor.shutdown = { PluginExport.exported.withLock { $0 }?.shutDown() }
            let pointer = UnsafeMutablePointer<pattern_plugin_descriptor>.allocate(capacity: 1)
            pointer.initialize(to: descriptor)
            slot = Exported(descriptor: DescriptorStorage(pointer: pointer),
                            setUp: { try Plugin.setUp($0) }, shutDown: { Plugin.shutDown() })
            return UnsafeRawPointer(pointer)
        }
    }

    private static func initialize(
        _ table: UnsafePointer<pattern_host_v1>?, _ handle: OpaquePointer?, _ failure: UnsafeMutablePointer<pattern_error>?
    ) -> pattern_status {
        guard let table, let handle, let plugin = exported.withLock({ $0 }) else { return PATTERN_INVALID }
        let host = PluginHost(table: table, handle: handle)
        if let depth = host.setting("limits.max_json_depth").flatMap(Int.init), depth > 0 {
            JSONBody.configuredMaxDepth.store(depth, ordering: .relaxed)
        }
        do {
            try plugin.setUp(host)
            return PATTERN_OK
        } catch {
            failure?.fill(String(describing: error))
            return PATTERN_INTERNAL
        }
    }
}
