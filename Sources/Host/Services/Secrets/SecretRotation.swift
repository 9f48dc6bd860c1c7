import PluginABI

/// A plugin's rotation callback (`secrets.on_rotate`): run by `secrets rotate-key` to re-seal
/// that plugin's values under the next key.
struct SecretRotation: Sendable {
    let plugin: LoadedPlugin
    let callback: pattern_rotate_fn
    let userdata: PluginUserdata

    /// Runs the callback; nil when it re-sealed everything, else the plugin's reason.
    func run() -> String? {
        var error = pattern_error.blank()
        let status = callback(&error, userdata.raw)
        guard status != PATTERN_OK else { return nil }
        let message = error.text
        return "status \(status): \(message.isEmpty ? "no message" : message)"
    }
}
