import Foundation
import PatternCrypto

/// Opaque resource ids of API.md: a type prefix and a time-ordered random part,
/// `user_01jd8x…`. The part after the prefix is 26 lower-case Crockford base32 characters:
/// 48 bits of Unix milliseconds (so ids sort by creation time) then 80 random bits (so they
/// are never guessable or sequential), the layout of a ULID.
public enum ResourceID {
    private static let alphabet = Array("0123456789abcdefghjkmnpqrstvwxyz".utf8)

    /// A new id such as `user_01jd8x3k…`; `prefix` is given without the underscore.
    public static func make(_ prefix: String, now: Date = Date()) -> String {
        let milliseconds = UInt64(max(0, now.timeIntervalSince1970 * 1000)) & 0xFFFF_FFFF_FFFF
        var bytes = [UInt8](repeating: 0, count: 16)
        for index in 0..<6 { bytes[index] = UInt8(truncatingIfNeeded: milliseconds >> (8 * (5 - index))) }
        bytes.replaceSubrange(6..<16, with: Crypto.randomBytes(10))
        return prefix + "_" + encode(bytes)
    }

    /// True for `prefix_` followed by 26 characters of the alphabet.
    public static func isValid(_ id: String, prefix: String) -> Bool {
        let bytes = Array(id.utf8)
        let head = Array((prefix + "_").utf8)
        guard bytes.count == head.count + 26, bytes.starts(with: head) else { return false }
        return bytes[head.count...].allSatisfy { alphabet.contains($0) }
    }

    /// 128 bits as 26 base32 characters (the first carries only 3 bits).
    private static func encode(_ bytes: [UInt8]) -> String {
        var value = (high: UInt64(0), low: UInt64(0))
        for index in 0..<8 { value.high = value.high << 8 | UInt64(bytes[index]) }
        for index in 8..<16 { value.low = value.low << 8 | UInt64(bytes[index]) }
        var out = [UInt8](repeating: 0, count: 26)
        for position in stride(from: 25, through: 0, by: -1) {
            out[position] = alphabet[Int(value.low & 31)]
            value.low = value.low >> 5 | (value.high & 31) << 59
            value.high >>= 5
        }
        return String(decoding: out, as: UTF8.self)
    }
}
