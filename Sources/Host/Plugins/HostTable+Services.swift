import PluginABI

/// The small sub-tables: core, log, named services, events and configuration.
extension HostTable {
    static func makeCore() -> pattern_core_api {
        var api = pattern_core_api()
        api.struct_size = ABIStruct.size(of: pattern_core_api.self)
        api.host_version = { HostTable.runtime?.hostVersion.str ?? .empty }
        api.report_health = { handle, level, message in
            guard let plugin = LoadedPlugin.from(handle),
                  (PATTERN_HEALTH_OK...PATTERN_HEALTH_ERROR).contains(level)
            else { return PATTERN_INVALID }
            let text = message.string
            plugin.reportHealth(LoadedPlugin.Health(level: level, message: text.isEmpty ? nil : text))
            return PATTERN_OK
        }
        api.plugin_count = { HostTable.runtime?.plugins.withLock { $0.count } ?? 0 }
        api.plugin_at = { index, name, version in
            guard let plugin = HostTable.runtime?.plugins.withLock({ index < $0.count ? $0[index] : nil }) else {
                return PATTERN_NOT_FOUND
            }
            name?.pointee = plugin.nameBytes.str
            version?.pointee = plugin.versionBytes.str
            return PATTERN_OK
        }
        api.transport_stats = { out in
            guard let out, let counters = HostTable.runtime?.transportCounters else { return PATTERN_INVALID }
            let stats = pattern_transport_stats(
                struct_size: ABIStruct.size(of: pattern_transport_stats.self),
                open_connections: UInt64(max(0, counters.openConnections.load(ordering: .relaxed))),
                websocket_connections: UInt64(max(0, counters.webSocketConnections.load(ordering: .relaxed))),
                websocket_messages_received: counters.webSocketMessagesReceived.load(ordering: .relaxed),
                websocket_messages_sent: counters.webSocketMessagesSent.load(ordering: .relaxed),
                requests_in_flight: UInt64(max(0, counters.requestsInFlight.load(ordering: .relaxed))))
            ABIStruct.fill(out, with: stats)
            return PATTERN_OK
        }
        return api
    }

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

    static func makeEvents() -> pattern_events_api {
        var api = pattern_events_api()
        api.struct_size = ABIStruct.size(of: pattern_events_api.self)
        api.publish = { topic, json in
            guard let runtime = HostTable.runtime else { return PATTERN_STATE }
            runtime.events.publish(topic: topic.string, json: Array(json.bytes))
            return PATTERN_OK
        }
        api.subscribe = { handle, prefix, deliver, userdata in
            guard let plugin = LoadedPlugin.from(handle), let deliver, let runtime = HostTable.runtime else {
                return PATTERN_INVALID
            }
            let userdata = PluginUserdata(raw: userdata)
            runtime.events.subscribe(.init(plugin: plugin.name, prefix: prefix.string) { topic, json in
                withBorrowed(topic) { topicText in withBorrowed(json) { deliver(topicText, $0, userdata.raw) } }
            })
            return PATTERN_OK
        }
        return api
    }

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
