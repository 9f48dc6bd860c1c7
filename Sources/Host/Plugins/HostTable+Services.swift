import PluginABI

/// The `services` sub-table: named vtables plugins provide to each other.
extension HostTable {
    static func makeServices() -> pattern_services_api {
        var api = pattern_services_api()
        api.struct_size = ABIStruct.size(of: pattern_services_api.self)
        api.provide = { handle, name, vtable in
            guard let plugin = LoadedPlugin.from(handle), let vtable, let runtime = HostTable.runtime,
                  !name.string.isEmpty
            else { return PATTERN_INVALID }
            guard runtime.services.provide(name.string, .init(provider: plugin.name, pointer: vtable)) else {
                plugin.recordFailure("service \"\(name.string)\" is already provided by another plugin")
                return PATTERN_CONFLICT
            }
            return PATTERN_OK
        }
        api.lookup = { name, vtable in
            guard let found = HostTable.runtime?.services.lookup(name.string) else { return PATTERN_NOT_FOUND }
            vtable?.pointee = found.pointer
            return PATTERN_OK
        }
        return api
    }
}
