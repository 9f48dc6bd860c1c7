import PluginABI

/// The `events` sub-table: the host's event bus.
extension HostTable {
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
}
