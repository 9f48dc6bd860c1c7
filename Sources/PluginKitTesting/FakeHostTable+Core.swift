import PluginABI

/// Core, log and configuration: who is loaded, what they said, what they were configured with.
extension FakeHostTable {
    static func core() -> pattern_core_api {
        var api = sized(pattern_core_api(), through: \.transport_stats)
        api.host_version = { PermanentText.hostVersion }
        api.report_health = { plugin, level, _ in
            FakeHostTable.withHost(PATTERN_STATE) { host in
                guard let name = host.pluginName(plugin) else { return PATTERN_INVALID }
                host.state.withLock { $0.health[name] = level }
                return PATTERN_OK
            }
        }
        api.plugin_count = { FakeHostTable.withHost(0) { host in host.state.withLock { $0.plugins.count } } }
        api.plugin_at = { index, name, version in
            FakeHostTable.withHost(PATTERN_STATE) { host in
                host.state.withLock { state in
                    guard index < state.plugins.count else { return PATTERN_NOT_FOUND }
                    name?.pointee = state.plugins[index].name.str
                    version?.pointee = state.plugins[index].version.str
                    return PATTERN_OK
                }
            }
        }
        api.transport_stats = { out in
            guard let out else { return PATTERN_INVALID }
            // No sockets: every counter is zero, up to what the caller's struct holds.
            let size = Int(min(out.pointee.struct_size, UInt32(MemoryLayout<pattern_transport_stats>.size)))
            UnsafeMutableRawPointer(out).advanced(by: 4).initializeMemory(as: UInt8.self, repeating: 0, count: max(size - 4, 0))
            return PATTERN_OK
        }
        return api
    }

    static func log() -> pattern_log_api {
        var api = sized(pattern_log_api(), through: \.write)
        api.enabled = { _ in 1 }
        api.write = { plugin, level, message in
            FakeHostTable.withHost(()) { host in
                let line = TestLogLine(plugin: host.pluginName(plugin) ?? "?", level: level, message: message.text)
                host.state.withLock { $0.logs.append(line) }
            }
        }
        return api
    }

    static func config() -> pattern_config_api {
        var api = sized(pattern_config_api(), through: \.data_dir)
        api.plugin_config = { plugin in
            FakeHostTable.withHost(PermanentText.str("{}")) { host in
                PermanentText.str(host.pluginName(plugin).flatMap { host.pluginConfig[$0] } ?? "{}")
            }
        }
        api.setting = { key, json in
            FakeHostTable.withHost(PATTERN_NOT_FOUND) { host in
                guard let value = host.settings[key.text] else { return PATTERN_NOT_FOUND }
                json?.pointee = PermanentText.str(value)
                return PATTERN_OK
            }
        }
        api.data_dir = { FakeHostTable.withHost(FakeHostTable.empty) { PermanentText.str($0.dataDirectory) } }
        return api
    }
}

extension PermanentText {
    private static let hostVersionText = PinnedBytes("0.0.0-test")
    static var hostVersion: pattern_str { hostVersionText.str }
}
