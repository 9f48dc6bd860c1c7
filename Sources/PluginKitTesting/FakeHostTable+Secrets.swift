import PluginABI

/// Secrets at rest, for tests: NOT encryption. A value is "tst1.<hex of the plaintext>.<hash
/// of the associated bytes>", so it round-trips, its size depends on the length alone, and it
/// opens only with the associated bytes it was sealed with, like the host's.
extension FakeHostTable {
    private static let sealedPrefix = Array("tst1.".utf8)
    private static let hexDigits = Array("0123456789abcdef".utf8)

    static func secrets() -> pattern_secrets_api {
        var api = sized(pattern_secrets_api(), through: \.on_rotate)
        api.sealed_size = { length in length > Int(PATTERN_SECRET_MAX_BYTES) ? 0 : FakeHostTable.sealedSize(length) }
        api.seal = { plaintext, associated, out, capacity, outLength in
            guard let outLength, plaintext.len <= Int(PATTERN_SECRET_MAX_BYTES) else { return PATTERN_INVALID }
            let sealed = FakeHostTable.sealedPrefix + FakeHostTable.hex(plaintext.bytes) + Array(".".utf8)
                + FakeHostTable.binding(associated.bytes)
            outLength.pointee = sealed.count
            guard sealed.count <= capacity, let out else { return PATTERN_INVALID }
            sealed.withUnsafeBytes { UnsafeMutableRawPointer(out).copyMemory(from: $0.baseAddress!, byteCount: sealed.count) }
            return PATTERN_OK
        }
        api.open = { sealed, associated, out, capacity, outLength in
            guard let outLength else { return PATTERN_INVALID }
            outLength.pointee = 0
            let text = sealed.bytes
            guard text.starts(with: FakeHostTable.sealedPrefix) else { return PATTERN_VERSION }
            let parts = text.dropFirst(FakeHostTable.sealedPrefix.count)
                .split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
            guard parts.count == 2, Array(parts[1]) == FakeHostTable.binding(associated.bytes),
                  let plaintext = FakeHostTable.unhex(Array(parts[0])) else { return PATTERN_INVALID }
            outLength.pointee = plaintext.count
            guard plaintext.count <= capacity else { return PATTERN_INVALID }
            if let out, !plaintext.isEmpty {
                plaintext.withUnsafeBytes { UnsafeMutableRawPointer(out).copyMemory(from: $0.baseAddress!, byteCount: plaintext.count) }
            }
            return PATTERN_OK
        }
        api.on_rotate = { plugin, function, _ in
            FakeHostTable.registering { $0.pluginName(plugin) != nil && function != nil ? PATTERN_OK : PATTERN_INVALID }
        }
        return api
    }

    private static func sealedSize(_ length: Int) -> Int { sealedPrefix.count + 2 * length + 1 + 16 }

    private static func hex(_ bytes: [UInt8]) -> [UInt8] {
        bytes.flatMap { [hexDigits[Int($0 >> 4)], hexDigits[Int($0 & 0xF)]] }
    }

    private static func unhex(_ digits: [UInt8]) -> [UInt8]? {
        guard digits.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        for index in stride(from: 0, to: digits.count, by: 2) {
            guard let high = hexDigits.firstIndex(of: digits[index]), let low = hexDigits.firstIndex(of: digits[index + 1]) else {
                return nil
            }
            bytes.append(UInt8(high << 4 | low))
        }
        return bytes
    }

    /// FNV-1a of the associated bytes, as 16 hex digits.
    private static func binding(_ associated: [UInt8]) -> [UInt8] {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in associated { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return hex(withUnsafeBytes(of: hash.bigEndian) { Array($0) })
    }
}
