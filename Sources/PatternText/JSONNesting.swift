/// How deeply JSON text nests arrays and objects, found in one pass without parsing, so the
/// host and PluginKit can refuse a body nested past `[limits] max_json_depth` before any
/// recursive parser sees it.
public enum JSONNesting {
    /// The deepest array/object nesting, ignoring brackets inside strings. Inlinable so each
    /// caller gets it specialised for its byte container: unspecialised, every byte went through
    /// the generic iterator's witness calls (about 500 instructions a byte, a third of a
    /// `POST /api/v1/agents`).
    @inlinable
    public static func depth(of bytes: some Sequence<UInt8>) -> Int {
        var depth = 0
        var deepest = 0
        var inString = false
        var escaped = false
        for byte in bytes {
            if inString {
                if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true }
                else if byte == UInt8(ascii: "\"") { inString = false }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                depth += 1
                deepest = max(deepest, depth)
            case UInt8(ascii: "]"), UInt8(ascii: "}"): depth -= 1
            default: break
            }
        }
        return deepest
    }
}
