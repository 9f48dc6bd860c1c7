import PatternCrypto

/// The 32-byte key-encryption key (KEK) and what is derived from it, each under its own label
/// so the KEK itself keys nothing directly:
/// - the AES-256-GCM key that seals: HMAC-SHA256(KEK, "pattern-secrets/aes-256-gcm/v1");
/// - the key id that names it in sealed values and in the database's check: the first 8 hex
///   digits of HMAC-SHA256(KEK, "pattern-secrets/key-id/v1"), which reveals nothing of the key.
/// Its description is the key id only, so interpolating a key into a message cannot leak it.
struct KeyEncryptionKey: Sendable, CustomStringConvertible {
    static let byteCount = 32
    static let hexCount = byteCount * 2

    /// The KEK itself: only for writing it to its file.
    let bytes: [UInt8]
    let sealingKey: [UInt8]
    let id: String

    init(bytes: [UInt8]) {
        precondition(bytes.count == Self.byteCount, "a key-encryption key has 32 bytes")
        self.bytes = bytes
        sealingKey = Crypto.hmacSHA256(key: bytes, message: Array("pattern-secrets/aes-256-gcm/v1".utf8))
        id = String(Crypto.hex(Crypto.hmacSHA256(key: bytes, message: Array("pattern-secrets/key-id/v1".utf8)).prefix(4)))
    }

    /// 32 fresh bytes from OpenSSL's CSPRNG.
    static func generate() -> KeyEncryptionKey { KeyEncryptionKey(bytes: Crypto.randomBytes(byteCount)) }

    /// Exactly 64 hexadecimal digits (either case); otherwise why not, in words that never
    /// repeat the text (it may be most of a key).
    static func parse(hex text: some StringProtocol) -> Result<KeyEncryptionKey, KeyTextProblem> {
        let digits = Array(text.utf8)
        guard digits.count == hexCount else { return .failure(.length(digits.count)) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(byteCount)
        for index in stride(from: 0, to: hexCount, by: 2) {
            guard let high = hexValue(digits[index]), let low = hexValue(digits[index + 1]) else {
                return .failure(.notHex)
            }
            bytes.append(high << 4 | low)
        }
        return .success(KeyEncryptionKey(bytes: bytes))
    }

    private static func hexValue(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    var hex: String { Crypto.hex(bytes) }

    var description: String { "key id \(id)" }
}

/// Why a text is not a key-encryption key.
enum KeyTextProblem: Error, Equatable, CustomStringConvertible {
    case length(Int)
    case notHex

    var description: String {
        switch self {
        case .length(let count):
            "expected exactly \(KeyEncryptionKey.hexCount) hexadecimal characters, got \(count) character(s)"
        case .notHex: "expected exactly \(KeyEncryptionKey.hexCount) hexadecimal characters, got other characters"
        }
    }
}
