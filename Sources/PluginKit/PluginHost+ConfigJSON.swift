import PluginABI

extension PluginHost {
    /// This plugin's config section exactly as the host hands it over (a JSON object, `{}`
    /// when absent): for plugins that check its keys themselves (e.g. refuse unknown ones).
    public var configJSON: [UInt8] {
        let json = table.raw.pointee.config.pointee.plugin_config(handle.raw).byteArray
        return json.isEmpty ? Array("{}".utf8) : json
    }
}
