import PluginABI

/// What the host says about itself and the plugins it loaded (`core` sub-table).
extension PluginHost {
    public struct LoadedPlugin: Sendable, Equatable {
        public let name: String
        public let version: String
    }

    /// The host's version, e.g. "0.1.0".
    public var hostVersion: String { table.raw.pointee.core.pointee.host_version().string }

    /// The loaded plugins in load order; complete once every plugin's init has run (so read
    /// it while serving, not in `setUp`).
    public var loadedPlugins: [LoadedPlugin] {
        let core = table.raw.pointee.core.pointee
        return (0..<core.plugin_count()).compactMap { index in
            var name = pattern_str()
            var version = pattern_str()
            guard core.plugin_at(index, &name, &version) == PATTERN_OK else { return nil }
            return LoadedPlugin(name: name.string, version: version.string)
        }
    }
}
