import PluginABI

/// Named services, the event bus and the WebSocket table: what plugins say to each other.
extension FakeHostTable {
    static func services() -> pattern_services_api {
        var api = sized(pattern_services_api(), through: \.lookup)
        api.provide = { plugin, name, vtable in
            FakeHostTable.registering { host in
                guard let vtable, host.pluginName(plugin) != nil, name.len > 0 else { return PATTERN_INVALID }
                return host.state.withLock { state in
                    guard state.services[name.text] == nil else { return PATTERN_CONFLICT }
                    state.services[name.text] = ServiceTable(vtable: vtable)
                    return PATTERN_OK
                }
            }
        }
        api.lookup = { name, out in
            FakeHostTable.withHost(PATTERN_STATE) { host in
                guard let table = host.state.withLock({ $0.services[name.text] }) else { return PATTERN_NOT_FOUND }
                out?.pointee = table.vtable
                return PATTERN_OK
            }
        }
        return api
    }

    static func events() -> pattern_events_api {
        var api = sized(pattern_events_api(), through: \.subscribe)
        api.publish = { topic, json in
            FakeHostTable.withHost(PATTERN_STATE) { host in
                host.publish(topic: topic.text, json: json.text)
                return PATTERN_OK
            }
        }
        api.subscribe = { plugin, prefix, function, userdata in
            FakeHostTable.registering { host in
                guard function != nil, host.pluginName(plugin) != nil else { return PATTERN_INVALID }
                let subscriber = (prefix.text, Callback(function: function, userdata: userdata))
                host.state.withLock { $0.subscribers.append(subscriber) }
                return PATTERN_OK
            }
        }
        return api
    }

    /// WebSocket routes and event-socket commands are accepted but never reached (the test
    /// host has no sockets); messages published to event-socket subscribers are recorded.
    static func webSocket() -> pattern_ws_api {
        var api = sized(pattern_ws_api(), through: \.close_sessions)
        api.add_route = { plugin, route in FakeHostTable.registering { $0.pluginName(plugin) != nil && route != nil ? PATTERN_OK : PATTERN_INVALID } }
        api.send = { _, _, _ in PATTERN_NOT_FOUND }
        api.close = { _, _, _ in PATTERN_NOT_FOUND }
        api.add_command = { plugin, _, function, _ in
            FakeHostTable.registering { $0.pluginName(plugin) != nil && function != nil ? PATTERN_OK : PATTERN_INVALID }
        }
        api.add_topic_authorizer = { plugin, _, function, _ in
            FakeHostTable.registering { $0.pluginName(plugin) != nil && function != nil ? PATTERN_OK : PATTERN_INVALID }
        }
        api.publish = { topic, json, _ in
            FakeHostTable.withHost(PATTERN_STATE) { host in
                host.state.withLock { $0.socketMessages.append(TestEvent(topic: topic.text, json: json.text)) }
                return PATTERN_OK
            }
        }
        api.close_sessions = { user, _, _ in user.len == 0 ? PATTERN_INVALID : PATTERN_OK }
        return api
    }
}
