import PluginABI

/// The `process` sub-table (ABI 1.4): child processes.
extension HostTable {
    static func makeProcess() -> pattern_process_api {
        var api = pattern_process_api()
        api.struct_size = ABIStruct.size(of: pattern_process_api.self)
        api.spawn = { _, _, _ in PATTERN_UNSUPPORTED }
        api.write = { _, _ in PATTERN_UNSUPPORTED }
        api.close_stdin = { _ in PATTERN_UNSUPPORTED }
        api.signal = { _, _ in PATTERN_UNSUPPORTED }
        api.terminate = { _, _ in PATTERN_UNSUPPORTED }
        return api
    }
}
