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
        let count = text.utf8.count
        guard count == hexCount else { return .failure(.length(count)) }
        guard let bytes = Crypto.unhex(text) else { return .failure(.notHex) }
        return .success(KeyEncryptionKey(bytes: bytes))
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
