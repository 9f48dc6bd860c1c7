import PluginABI

/// The `responses` sub-table (ABI 1.4): deferred and streamed responses.
extension HostTable {
    static func makeResponses() -> pattern_responses_api {
        var api = pattern_responses_api()
        api.struct_size = ABIStruct.size(of: pattern_responses_api.self)
        api.set_status = { _, _ in PATTERN_UNSUPPORTED }
        api.add_header = { _, _, _ in PATTERN_UNSUPPORTED }
        api.write = { _, _ in PATTERN_UNSUPPORTED }
        api.respond_error = { _, _, _, _, _ in PATTERN_UNSUPPORTED }
        api.begin_stream = { _ in PATTERN_UNSUPPORTED }
        api.begin_events = { _, _ in PATTERN_UNSUPPORTED }
        api.send_event = { _, _, _, _ in PATTERN_UNSUPPORTED }
        api.finish = { _ in PATTERN_UNSUPPORTED }
        api.set_callbacks = { _, _, _, _ in PATTERN_UNSUPPORTED }
        return api
    }
}
