import PluginABI

/// The `responses` sub-table (ABI 1.4): finishing and streaming responses handlers deferred.
/// Every function looks the handle up first: a stale one answers PATTERN_NOT_FOUND.
extension HostTable {
    static func makeResponses() -> pattern_responses_api {
        var api = pattern_responses_api()
        api.struct_size = ABIStruct.size(of: pattern_responses_api.self)
        api.set_status = { id, status in
            HostTable.deferred(id) { response in response.edit { HostTable.setStatus($0, status) } }
        }
        api.add_header = { id, name, value in
            HostTable.deferred(id) { response in response.edit { HostTable.addHeader($0, name, value) } }
        }
        api.write = { id, bytes in HostTable.deferred(id) { $0.write(bytes.bytes, asEvent: false) } }
        api.respond_error = { id, status, type, message, fields in
            HostTable.deferred(id) { response in
                response.edit { HostTable.respondError($0, status, type, message, fields) }
            }
        }
        api.begin_stream = { id in HostTable.deferred(id) { $0.begin(events: false) } }
        api.begin_events = { id, ping in
            HostTable.deferred(id) { $0.begin(events: true, pingIntervalMilliseconds: UInt64(ping)) }
        }
        api.send_event = { id, event, data, eventID in
            HostTable.deferred(id) { response in
                guard let frame = StreamFraming.event(name: event.bytes, data: data.bytes, id: eventID.bytes) else {
                    return PATTERN_INVALID
                }
                return frame.withUnsafeBytes { response.write($0, asEvent: true) }
            }
        }
        api.finish = { id in HostTable.deferred(id) { $0.finish() } }
        api.abort = { id in HostTable.deferred(id) { $0.abort() } }
        api.set_callbacks = { id, onDrain, onCancel, userdata in
            HostTable.deferred(id) { HostTable.setCallbacks($0, onDrain, onCancel, PluginUserdata(raw: userdata)) }
        }
        return api
    }

    static func setCallbacks(_ response: DeferredResponse, _ onDrain: pattern_response_fn?,
                                     _ onCancel: pattern_response_fn?, _ userdata: PluginUserdata) -> pattern_status {
        var drain: DeferredResponse.Callback?
        var cancel: DeferredResponse.Callback?
        if let onDrain { drain = { id in onDrain(id, userdata.raw) } }
        if let onCancel { cancel = { id in onCancel(id, userdata.raw) } }
        response.setCallbacks(onDrain: drain, onCancel: cancel)
        return PATTERN_OK
    }

    static func deferred(_ id: UInt64, _ body: (DeferredResponse) -> pattern_status) -> pattern_status {
        guard let response = runtime?.responses.find(id) else { return PATTERN_NOT_FOUND }
        return body(response)
    }
}
