import PluginABI

/// The `ws` sub-table (ABI 1.1): WebSocket routes, sending to connection ids, and the event
/// socket's extension points (command types, topic authorizers, publishing to subscribers).
extension HostTable {
    static func makeWebSocket() -> pattern_ws_api {
        var api = pattern_ws_api()
        api.struct_size = ABIStruct.size(of: pattern_ws_api.self)
        api.add_route = { handle, route in HostTable.addWebSocketRoute(handle, route) }
        api.send = { id, isText, payload in
            guard let runtime = HostTable.runtime else { return PATTERN_STATE }
            let frame = WebSocketFrameWriter.frame(isText != 0 ? .text : .binary, payload: payload.bytes)
            return runtime.webSockets.send(frame, to: id) ? PATTERN_OK : PATTERN_NOT_FOUND
        }
        api.close = { id, code, reason in
            guard let runtime = HostTable.runtime else { return PATTERN_STATE }
            guard code == 1000 || code == 1001 || code == 1008 || code == 1011 || (3000...4999).contains(code) else {
                return PATTERN_INVALID
            }
            return runtime.webSockets.close(id, code: UInt16(code), reason: reason.string) ? PATTERN_OK : PATTERN_NOT_FOUND
        }
        api.add_command = { handle, type, command, userdata in
            guard let plugin = LoadedPlugin.from(handle), let command, let runtime = HostTable.runtime else {
                return PATTERN_INVALID
            }
            let userdata = PluginUserdata(raw: userdata)
            let added = runtime.eventSocket.addCommand(type.string) { id, userID, json in
                withBorrowed(userID) { user in withBorrowed(json) { command(id, user, $0, userdata.raw) } }
            }
            if !added { plugin.recordFailure("event-socket command \"\(type.string)\" is built in or taken") }
            return added ? PATTERN_OK : PATTERN_CONFLICT
        }
        api.add_topic_authorizer = { handle, prefix, authorize, userdata in
            guard LoadedPlugin.from(handle) != nil, let authorize, let runtime = HostTable.runtime,
                  !prefix.string.isEmpty
            else { return PATTERN_INVALID }
            let userdata = PluginUserdata(raw: userdata)
            runtime.eventSocket.addAuthorizer(.init(prefix: prefix.string) { userID, isAdmin, topic in
                withBorrowed(userID) { user in
                    withBorrowed(topic) { authorize(user, isAdmin ? 1 : 0, $0, userdata.raw) == PATTERN_OK }
                }
            })
            return PATTERN_OK
        }
        api.publish = { topic, json, except in
            guard let runtime = HostTable.runtime else { return PATTERN_STATE }
            runtime.eventSocket.deliver(topic: topic.string, json: Array(json.bytes), except: except)
            return PATTERN_OK
        }
        api.close_sessions = { userID, sessionID, reason in
            guard let runtime = HostTable.runtime else { return PATTERN_STATE }
            guard userID.len > 0 else { return PATTERN_INVALID }
            runtime.webSockets.closeSessions(userID: userID.string, sessionID: sessionID.len > 0 ? sessionID.string : nil,
                                             reason: reason.string)
            return PATTERN_OK
        }
        return api
    }

    private static func addWebSocketRoute(_ handle: OpaquePointer?, _ route: UnsafePointer<pattern_ws_route>?)
        -> pattern_status
    {
        guard let plugin = LoadedPlugin.from(handle), let route, let runtime else { return PATTERN_INVALID }
        let path = ABIStruct.field(route, \.path)?.string ?? ""
        guard let onMessage = ABIStruct.field(route, \.on_message) ?? nil else {
            plugin.recordFailure("WebSocket route \(path) has no on_message")
            return PATTERN_INVALID
        }
        let onOpen = ABIStruct.field(route, \.on_open) ?? nil
        let onClose = ABIStruct.field(route, \.on_close) ?? nil
        let userdata = PluginUserdata(raw: ABIStruct.field(route, \.userdata) ?? nil)
        let flags = ABIStruct.field(route, \.flags) ?? 0
        let permission = ABIStruct.field(route, \.permission)?.string ?? ""
        let endpoint = WebSocketEndpoint(
            isInline: flags & UInt32(PATTERN_INLINE) != 0,
            open: { id, request in
                onOpen?(id, OpaquePointer(Unmanaged.passUnretained(request).toOpaque()), userdata.raw)
            },
            message: { id, isText, bytes in withBorrowed(bytes) { onMessage(id, isText ? 1 : 0, $0, userdata.raw) } },
            close: { id, code in onClose?(id, Int32(code), userdata.raw) })
        let entry = WebSocketRoute.make(path: path, plugin: plugin.name, flags: flags,
                                        permission: permission.isEmpty ? nil : permission, endpoint: endpoint)
        return runtime.register { registrations in
            do {
                try registrations.router.add(entry)
                return PATTERN_OK
            } catch {
                plugin.recordFailure(String(describing: error))
                return PATTERN_INVALID
            }
        }
    }
}

/// Calls `body` with a borrowed `pattern_str` over `bytes` (valid only during the call).
func withBorrowed<R>(_ bytes: [UInt8], _ body: (pattern_str) -> R) -> R {
    bytes.withUnsafeBufferPointer { buffer in
        body(pattern_str(ptr: buffer.baseAddress.map { UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self) },
                         len: buffer.count))
    }
}

func withBorrowed<R>(_ text: String, _ body: (pattern_str) -> R) -> R { withBorrowed(Array(text.utf8), body) }
