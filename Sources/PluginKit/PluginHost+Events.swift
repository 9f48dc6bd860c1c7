import PluginABI

/// Subscribing to the host's event bus (publishing is `PluginHost.publish`).
extension PluginHost {
    /// Calls `handler` for every event whose topic starts with `prefix` ("" = all). Call it
    /// from `setUp`. The handler runs synchronously on the publishing thread (a worker), so it
    /// must be quick and must not publish from inside a database transaction of its own
    /// making; topic and payload are copies it may keep.
    public func subscribe(
        prefix: String, _ handler: @escaping @Sendable (_ topic: String, _ json: [UInt8]) -> Void
    ) throws {
        // Retained for the life of the process: the host may call it until exit.
        let box = Unmanaged.passRetained(EventHandlerBox(handler: handler)).toOpaque()
        let status = withABIString(prefix) { prefixText in
            table.raw.pointee.events.pointee.subscribe(handle.raw, prefixText, { topic, json, userdata in
                guard let userdata else { return }
                Unmanaged<EventHandlerBox>.fromOpaque(userdata).takeUnretainedValue()
                    .handler(topic.string, json.byteArray)
            }, box)
        }
        guard status == PATTERN_OK else {
            Unmanaged<EventHandlerBox>.fromOpaque(box).release()
            throw RegistrationError(description: "subscription to \"\(prefix)\" refused (status \(status))")
        }
    }
}

final class EventHandlerBox: Sendable {
    let handler: @Sendable (String, [UInt8]) -> Void

    init(handler: @escaping @Sendable (String, [UInt8]) -> Void) {
        self.handler = handler
    }
}
