import PluginABI

/// The `timers` sub-table (ABI 1.4).
extension HostTable {
    static func makeTimers() -> pattern_timer_api {
        var api = pattern_timer_api()
        api.struct_size = ABIStruct.size(of: pattern_timer_api.self)
        api.start = { _, _, _, _, _ in PATTERN_UNSUPPORTED }
        api.cancel = { _ in PATTERN_UNSUPPORTED }
        return api
    }
}
