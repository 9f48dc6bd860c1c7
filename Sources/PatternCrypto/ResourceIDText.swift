/// The text of the API's resource ids, `<prefix>_` and 26 lower-case Crockford base32
/// characters: 48 bits of Unix milliseconds (so ids sort by creation time) then 80 random bits
/// (so they are never guessable or sequential), the layout of a ULID. PluginKit's `ResourceID`
/// and the host's `core.new_id` (for C plugins) both mint through here.
public enum ResourceIDText {
    public static let alphabet = Array("0123456789abcdefghjkmnpqrstvwxyz".utf8)
    /// Characters after the prefix's underscore.
    public static let suffixLength = 26

    /// A new id for `prefix` (given without the underscore) at `milliseconds` since 1970.
    public static func make(prefix: String, milliseconds: UInt64) -> String {
        let time = milliseconds & 0xFFFF_FFFF_FFFF
        var bytes = [UInt8](repeating: 0, count: 16)
        for index in 0..<6 { bytes[index] = UInt8(truncatingIfNeeded: time >> (8 * (5 - index))) }
        bytes.replaceSubrange(6..<16, with: Crypto.randomBytes(10))
        return prefix + "_" + encode(bytes)
    }

    /// 128 bits as 26 base32 characters (the first carries only 3 bits).
    private static func encode(_ bytes: [UInt8]) -> String {
        var value = (high: UInt64(0), low: UInt64(0))
        for index in 0..<8 { value.high = value.high << 8 | UInt64(bytes[index]) }
        for index in 8..<16 { value.low = value.low << 8 | UInt64(bytes[index]) }
        var out = [UInt8](repeating: 0, count: suffixLength)
        for position in stride(from: suffixLength - 1, through: 0, by: -1) {
            out[position] = alphabet[Int(value.low & 31)]
            value.low = value.low >> 5 | (value.high & 31) << 59
            value.high >>= 5
        }
        return String(decoding: out, as: UTF8.self)
    }
}
