import PluginABI

/// The `config` sub-table: the plugin's config section, host settings, the data directory.
extension HostTable {
    static func makeConfig() -> pattern_config_api {
        var api = pattern_config_api()
        api.struct_size = ABIStruct.size(of: pattern_config_api.self)
        api.plugin_config = { handle in LoadedPlugin.from(handle)?.configJSON.str ?? .empty }
        api.setting = { key, json in
            guard let value = HostTable.runtime?.setting(key.string) else { return PATTERN_NOT_FOUND }
            json?.pointee = value
            return PATTERN_OK
        }
        api.data_dir = { HostTable.runtime?.dataDirectory.str ?? .empty }
        return api
    }
}
