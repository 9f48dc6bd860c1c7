import PluginABI

/// Named services between plugins (`services` sub-table): a plugin provides a C vtable under
/// a versioned name ("metrics.v1"), others look it up. Vtables live as long as the process.
extension PluginHost {
    /// Offers `vtable` (a struct starting with `uint32_t struct_size`, never freed) under
    /// `name`. Init only; throws when the name is taken or registration is closed.
    public func provideService(_ name: String, vtable: UnsafeRawPointer) throws {
        let status = withABIString(name) { table.raw.pointee.services.pointee.provide(handle.raw, $0, vtable) }
        guard status == PATTERN_OK else {
            throw RegistrationError(description: "service \(name) refused (status \(status))")
        }
    }

    /// The vtable another plugin provides under `name`, or nil when no loaded plugin does.
    public func lookupService(_ name: String) -> UnsafeRawPointer? {
        table.lookupService(name)
    }
}

extension HostTableReference {
    func lookupService(_ name: String) -> UnsafeRawPointer? {
        var vtable: UnsafeRawPointer?
        let status = withABIString(name) { raw.pointee.services.pointee.lookup($0, &vtable) }
        return status == PATTERN_OK ? vtable : nil
    }
}

/// The address of a vtable a plugin provides: written once before it is shared, never changed
/// or freed after, so it may sit in a `static let` and cross threads.
// @unchecked: the pointee is immutable once shared and lives as long as the process.
public struct ServiceVTable: @unchecked Sendable {
    public let pointer: UnsafeRawPointer

    public init(pointer: UnsafeRawPointer) {
        self.pointer = pointer
    }
}

/// A named service's vtable of type `VTable`, looked up and version-checked in one place, so
/// no plugin writes its own unsafe lookup or `struct_size` check:
///
///     let agents = try ServiceClient<pattern_agents_v1>(host, PATTERN_AGENTS_SERVICE_V1, needs: \.memory_tool,
///                                                       providedBy: "agents")
///     agents.table.find_agent(...)
///
/// For a service the plugin requires: look it up in setUp, after `requires` has loaded its provider.
// @unchecked: points at another plugin's vtable, immutable and alive for the whole process.
public struct ServiceClient<VTable>: @unchecked Sendable {
    public struct Missing: Error, CustomStringConvertible {
        public let description: String
    }

    private let pointer: UnsafePointer<VTable>

    /// The vtable's functions (every slot up to `needs` is there).
    public var table: VTable { pointer.pointee }

    /// Throws `Missing`, saying which plugin to load or update, when no plugin provides `name`
    /// or its vtable predates the slot `needs`.
    public init<Slot>(_ host: PluginHost, _ name: String, needs slot: KeyPath<VTable, Slot>, providedBy plugin: String)
        throws(Missing)
    {
        guard let raw = host.lookupService(name) else {
            throw Missing(description: "the \"\(name)\" service is missing: load the \(plugin) plugin")
        }
        let structSize = raw.load(as: UInt32.self)  // every vtable starts with its struct_size
        guard abiHasField(structSize, slot) else {
            throw Missing(description: "the \"\(name)\" service is too old (struct_size \(structSize)): "
                          + "update the \(plugin) plugin")
        }
        pointer = raw.assumingMemoryBound(to: VTable.self)
    }
}
