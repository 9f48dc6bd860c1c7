import PluginABI

/// The `client` sub-table (ABI 1.4): outbound HTTP requests.
extension HostTable {
    static func makeClient() -> pattern_client_api {
        var api = pattern_client_api()
        api.struct_size = ABIStruct.size(of: pattern_client_api.self)
        api.start = { _, _ in PATTERN_UNSUPPORTED }
        api.cancel = { _ in PATTERN_UNSUPPORTED }
        api.pause = { _, _ in PATTERN_UNSUPPORTED }
        return api
    }
}
