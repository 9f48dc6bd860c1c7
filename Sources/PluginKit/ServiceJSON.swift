import PluginABI

/// Calls a named service's function that answers JSON through a C callback
/// (`void (*)(pattern_str json, void *userdata)`, run at most once, on the calling thread,
/// before the function returns — the agents.v1, groups.v1 and providers.v1 convention) and
/// keeps a copy of that JSON.
public enum ServiceJSON {
    public typealias Callback = @convention(c) (pattern_str, UnsafeMutableRawPointer?) -> Void

    /// The function's status, and the JSON its callback got (nil when it was not called).
    public static func collect(_ body: (Callback, UnsafeMutableRawPointer) -> pattern_status)
        -> (status: pattern_status, json: String?)
    {
        let receiver = Receiver()
        let status = body({ json, userdata in
            Unmanaged<Receiver>.fromOpaque(userdata!).takeUnretainedValue().json = json.string
        }, Unmanaged.passUnretained(receiver).toOpaque())
        return withExtendedLifetime(receiver) { (status, receiver.json) }
    }

    /// Holds the callback's copy; used on one thread, within one call.
    private final class Receiver {
        var json: String?
    }
}
