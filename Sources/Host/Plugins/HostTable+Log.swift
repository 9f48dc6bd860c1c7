import PluginABI

/// The `log` sub-table: log lines tagged with the calling plugin.
extension HostTable {
    static func makeLog() -> pattern_log_api {
        var api = pattern_log_api()
        api.struct_size = ABIStruct.size(of: pattern_log_api.self)
        api.enabled = { level in
            guard let logger = HostTable.runtime?.logger, let level = LogLevel(rawValue: level) else { return 0 }
            return logger.enabled(level) ? 1 : 0
        }
        api.write = { handle, level, message in
            guard let logger = HostTable.runtime?.logger else { return }
            logger.log(LogLevel(rawValue: level) ?? .info, message.string,
                       ["plugin": LoadedPlugin.from(handle)?.name ?? "?"])
        }
        return api
    }
}
