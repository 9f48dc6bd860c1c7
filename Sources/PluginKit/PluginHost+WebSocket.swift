import PluginABI

/// The WebSocket side of the host (ABI 1.1) for Swift plugins: who may subscribe to a topic,
/// extra command types on the event socket, and sending to connections or topic subscribers.
extension PluginHost {
    /// A WebSocket connection id (generation-tagged; never reused).
    public typealias WebSocketConnection = UInt64

    /// Decides who may subscribe to topics starting with `prefix` ("agent:"). Runs on a worker
    /// thread and may query the database. Call it from `setUp`.
    public func topicAuthorizer(
        prefix: String, _ allows: @escaping @Sendable (_ userID: String, _ isAdmin: Bool, _ topic: String) -> Bool
    ) throws {
        let box = Unmanaged.passRetained(ClosureBox(allows)).toOpaque()
        let status = withABIString(prefix) { prefixText in
            table.raw.pointee.ws.pointee.add_topic_authorizer(handle.raw, prefixText, { user, isAdmin, topic, userdata in
                let allows = Unmanaged<ClosureBox<@Sendable (String, Bool, String) -> Bool>>.fromOpaque(userdata!)
                    .takeUnretainedValue().value
                return allows(user.string, isAdmin != 0, topic.string) ? PATTERN_OK : PATTERN_INVALID
            }, box)
        }
        guard status == PATTERN_OK else {
            throw RegistrationError(description: "topic authorizer for \(prefix) refused (status \(status))")
        }
    }

    /// Adds a command type to the event socket (`{"type": "<type>", ...}`). The handler gets the
    /// connection, its user id and the whole JSON message, on a worker thread.
    public func eventSocketCommand(
        _ type: String, _ handle: @escaping @Sendable (_ connection: WebSocketConnection, _ userID: String, _ json: [UInt8]) -> Void
    ) throws {
        let box = Unmanaged.passRetained(ClosureBox(handle)).toOpaque()
        let status = withABIString(type) { typeText in
            table.raw.pointee.ws.pointee.add_command(self.handle.raw, typeText, { connection, user, json, userdata in
                let handle = Unmanaged<ClosureBox<@Sendable (UInt64, String, [UInt8]) -> Void>>.fromOpaque(userdata!)
                    .takeUnretainedValue().value
                handle(connection, user.string, json.byteArray)
            }, box)
        }
        guard status == PATTERN_OK else {
            throw RegistrationError(description: "event-socket command \(type) refused (status \(status))")
        }
    }

    /// Sends a text message to one connection; false when it is gone.
    @discardableResult
    public func send(_ connection: WebSocketConnection, text: [UInt8]) -> Bool {
        withABIBytes(text) { table.raw.pointee.ws.pointee.send(connection, 1, $0) } == PATTERN_OK
    }

    /// Closes (4401, `reason`) every WebSocket connection opened with this user's login
    /// `session`, or with any login of the user when it is nil: for the authenticating plugin,
    /// whenever a login stops being valid (ABI 1.3). False on an older host, which cannot.
    @discardableResult
    public func closeWebSocketSessions(userID: String, session: String? = nil, reason: String) -> Bool {
        guard let ws = table.raw.pointee.ws, abiHasField(ws.pointee.struct_size, \pattern_ws_api.close_sessions),
              let close = ws.pointee.close_sessions
        else { return false }
        let status = withABIString(userID) { user in
            withABIString(session ?? "") { sessionText in withABIString(reason) { close(user, sessionText, $0) } }
        }
        return status == PATTERN_OK
    }

    /// Sends `json` to the event-socket subscribers of `topic`, except one connection (0: none).
    public func publishToSubscribers(topic: String, json: [UInt8], except: WebSocketConnection = 0) {
        _ = withABIString(topic) { topicText in
            withABIBytes(json) { table.raw.pointee.ws.pointee.publish(topicText, $0, except) }
        }
    }
}

/// Keeps a closure alive for the life of the process behind a C `void *userdata`.
final class ClosureBox<Value: Sendable>: Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
