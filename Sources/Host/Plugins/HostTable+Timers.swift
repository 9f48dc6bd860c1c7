import PluginABI

/// The `timers` sub-table (ABI 1.4).
extension HostTable {
    static func makeTimers() -> pattern_timer_api {
        var api = pattern_timer_api()
        api.struct_size = ABIStruct.size(of: pattern_timer_api.self)
        api.start = { delay, interval, fn, userdata, out in
            guard let fn, let out, let runtime = HostTable.runtime else { return PATTERN_INVALID }
            let userdata = PluginUserdata(raw: userdata)
            guard let id = runtime.timers.start(delay: delay, interval: interval, { id in fn(id, userdata.raw) }) else {
                return PATTERN_STATE
            }
            out.pointee = id
            return PATTERN_OK
        }
        api.cancel = { id in
            guard let runtime = HostTable.runtime else { return PATTERN_NOT_FOUND }
            return runtime.timers.cancel(id) ? PATTERN_OK : PATTERN_NOT_FOUND
        }
        return api
    }
}
