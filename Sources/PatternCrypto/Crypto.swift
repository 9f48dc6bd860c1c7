// Hashing, MACs, randomness and comparisons for the host and for plugins, over OpenSSL's
// libcrypto. Everything here is stateless and safe to call from any thread.
import COpenSSL

public enum Crypto {
    public typealias Base64URL = PatternCrypto.Base64URL
    public typealias BCrypt = PatternCrypto.BCrypt

    /// SHA-256 of `bytes` (32 bytes).
    public static func sha256(_ bytes: some Collection<UInt8>) -> [UInt8] {
        digest(bytes, length: Int(SHA256_DIGEST_LENGTH)) { SHA256($0, $1, $2) != nil }
    }

    /// SHA-1 of `bytes` (20 bytes): only where a protocol demands it (the WebSocket handshake's
    /// Sec-WebSocket-Accept), never for anything that needs collision resistance.
    public static func sha1(_ bytes: some Collection<UInt8>) -> [UInt8] {
        digest(bytes, length: Int(SHA_DIGEST_LENGTH)) { SHA1($0, $1, $2) != nil }
    }

    private static func digest(
        _ bytes: some Collection<UInt8>, length: Int,
        _ function: (UnsafePointer<UInt8>, Int, UnsafeMutablePointer<UInt8>?) -> Bool
    ) -> [UInt8] {
        func run(_ buffer: UnsafeRawBufferPointer) -> [UInt8] {
            var out = [UInt8](repeating: 0, count: length)
            withNonNullBase(buffer) { base, count in
                out.withUnsafeMutableBufferPointer { precondition(function(base, count, $0.baseAddress), "digest failed") }
            }
            return out
        }
        if let result = bytes.withContiguousStorageIfAvailable({ run(UnsafeRawBufferPointer($0)) }) { return result }
        return Array(bytes).withUnsafeBytes { run($0) }
    }

    /// HMAC-SHA256 (RFC 2104) of `message` under `key` (32 bytes).
    public static func hmacSHA256(key: [UInt8], message: [UInt8]) -> [UInt8] {
        precondition(key.count <= Int(Int32.max), "HMAC key too long")
        var mac = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        key.withUnsafeBytes { keyBuffer in
            message.withUnsafeBytes { messageBuffer in
                withNonNullBase(keyBuffer) { keyBase, keyCount in
                    withNonNullBase(messageBuffer) { messageBase, messageCount in
                        mac.withUnsafeMutableBufferPointer { out in
                            let result = HMAC(EVP_sha256(), keyBase, Int32(keyCount), messageBase,
                                              messageCount, out.baseAddress, &length)
                            precondition(result != nil, "HMAC-SHA256 failed")
                        }
                    }
                }
            }
        }
        precondition(length == 32, "HMAC-SHA256 returned \(length) bytes")
        mac.removeSubrange(Int(length)...)
        return mac
    }

    /// `count` bytes from OpenSSL's CSPRNG. Traps if the generator fails: there is no
    /// weaker fallback, and continuing without randomness would mint guessable secrets.
    public static func randomBytes(_ count: Int) -> [UInt8] {
        precondition(count >= 0 && count <= Int(Int32.max), "randomBytes: bad count \(count)")
        var bytes = [UInt8](repeating: 0, count: count)
        if count == 0 { return bytes }
        let ok = bytes.withUnsafeMutableBufferPointer { RAND_bytes($0.baseAddress, Int32(count)) }
        guard ok == 1 else { fatalError("RAND_bytes failed: the system CSPRNG is unavailable") }
        return bytes
    }

    /// Compares in time that depends only on the lengths, never on where the contents differ
    /// (CRYPTO_memcmp). Different lengths are simply unequal: lengths are not secret here
    /// (MACs, digests and token hashes have fixed sizes), so no content is compared then.
    public static func constantTimeEquals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        if a.isEmpty { return true }
        return a.withUnsafeBytes { left in
            b.withUnsafeBytes { right in
                CRYPTO_memcmp(left.baseAddress!, right.baseAddress!, left.count) == 0
            }
        }
    }

    /// Overwrites a secret's bytes in place before the array is released.
    public static func wipe<T: FixedWidthInteger>(_ bytes: inout [T]) {
        bytes.withUnsafeMutableBufferPointer { buffer in
            for index in buffer.indices { buffer[index] = 0 }
        }
    }

    /// The value of one hexadecimal digit (either case), nil for any other byte.
    public static func hexDigitValue(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// The bytes of hexadecimal text (either case); nil for an odd length or any other character.
    public static func unhex(_ text: some StringProtocol) -> [UInt8]? {
        let digits = Array(text.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        for index in stride(from: 0, to: digits.count, by: 2) {
            guard let high = hexDigitValue(digits[index]), let low = hexDigitValue(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
        }
        return bytes
    }

    /// Lower-case hexadecimal.
    public static func hex(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.underestimatedCount * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// Calls `body` with a non-null base address even for an empty buffer (some C APIs treat a
/// NULL pointer specially even with a zero length).
func withNonNullBase<R>(_ buffer: UnsafeRawBufferPointer,
                        _ body: (UnsafePointer<UInt8>, Int) throws -> R) rethrows -> R {
    if let base = buffer.baseAddress, buffer.count > 0 {
        return try body(base.assumingMemoryBound(to: UInt8.self), buffer.count)
    }
    let zero: UInt8 = 0
    return try withUnsafePointer(to: zero) { try body($0, 0) }
}
