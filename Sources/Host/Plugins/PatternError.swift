import PluginABI

/// The one-line reason a plugin's callback (init, a service call, a rotation) fills in.
extension pattern_error {
    /// Empty, sized for this host's header.
    static func blank() -> pattern_error {
        var error = pattern_error()
        error.struct_size = ABIStruct.size(of: pattern_error.self)
        return error
    }

    /// The message up to its NUL (invalid UTF-8 is repaired).
    var text: String {
        var message = message
        return withUnsafeBytes(of: &message) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
    }
}
