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
