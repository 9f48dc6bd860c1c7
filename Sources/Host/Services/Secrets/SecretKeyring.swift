import PatternCrypto
import PluginABI

/// The keys this process seals and opens with: one seals (the key in force, or the next one
/// while a rotation is under way) and each of them opens. Immutable once the host has started.
struct SecretKeyring: Sendable {
    let sealing: KeyEncryptionKey
    /// The sealing key first.
    let opening: [KeyEncryptionKey]

    /// Plaintexts and associated data longer than this are refused (the ABI's bound).
    static let maxBytes = Int(PATTERN_SECRET_MAX_BYTES)

    init(sealing: KeyEncryptionKey, alsoOpening others: [KeyEncryptionKey] = []) {
        self.sealing = sealing
        opening = [sealing] + others.filter { $0.id != sealing.id }
    }

    enum OpenFailure: Error, Equatable {
        /// Not a sealed value, or it does not authenticate (changed, truncated, other associated data).
        case invalid
        /// Sealed under a key (or in a format) this process does not hold.
        case unknownKey
        /// The output buffer holds fewer bytes than the plaintext's `needed`.
        case bufferTooSmall(needed: Int)
    }

    /// The sealed text of `plaintext` bound to `associatedData`, under the sealing key and a
    /// fresh random nonce; nil when the cipher fails. Inputs within `maxBytes` are the caller's
    /// to check.
    func seal(_ plaintext: UnsafeRawBufferPointer, associatedData: UnsafeRawBufferPointer) -> [UInt8]? {
        let header = SealedText.header(keyID: sealing.id)
        let nonce = Crypto.randomBytes(AESGCM.nonceSize)
        let authenticated = header + associatedData
        guard let sealed = authenticated.withUnsafeBytes({
            AESGCM.seal(key: sealing.sealingKey, nonce: nonce, plaintext: plaintext, associatedData: $0)
        }) else { return nil }
        return header + Array(Base64URL.encode(nonce + sealed).utf8)
    }

    /// Opens a sealed text into `out`, returning the plaintext's length. A too-small `out` is
    /// reported before any decryption, from the text's length alone.
    func open(_ text: UnsafeRawBufferPointer, associatedData: UnsafeRawBufferPointer,
              into out: UnsafeMutableRawBufferPointer) -> Result<Int, OpenFailure> {
        guard text.count <= SealedText.count(plaintextCount: Self.maxBytes), associatedData.count <= Self.maxBytes else {
            return .failure(.invalid)
        }
        let parts: SealedText.Parts
        switch SealedText.parse(text) {
        case .success(let parsed): parts = parsed
        case .failure(.malformed): return .failure(.invalid)
        case .failure(.unknownFormat): return .failure(.unknownKey)
        }
        guard let key = opening.first(where: { $0.id == parts.keyID }) else { return .failure(.unknownKey) }
        guard out.count >= parts.plaintextCount else { return .failure(.bufferTooSmall(needed: parts.plaintextCount)) }
        let authenticated = parts.header + associatedData
        let opened = parts.sealed.withUnsafeBytes { sealed in
            authenticated.withUnsafeBytes { associated in
                AESGCM.open(key: key.sealingKey, nonce: parts.nonce, ciphertextAndTag: sealed,
                            associatedData: associated, into: out)
            }
        }
        return opened ? .success(parts.plaintextCount) : .failure(.invalid)
    }
}

extension SecretKeyring {
    /// `seal` for Swift callers (the host's own check value, tests).
    func seal(_ plaintext: [UInt8], associatedData: [UInt8]) -> String? {
        plaintext.withUnsafeBytes { plain in
            associatedData.withUnsafeBytes { seal(plain, associatedData: $0) }
        }.map { String(decoding: $0, as: UTF8.self) }
    }

    /// `open` for Swift callers: the plaintext, or why not.
    func open(_ text: String, associatedData: [UInt8]) -> Result<[UInt8], OpenFailure> {
        var plaintext = [UInt8](repeating: 0, count: text.utf8.count)
        let result = Array(text.utf8).withUnsafeBytes { sealed in
            associatedData.withUnsafeBytes { associated in
                plaintext.withUnsafeMutableBytes { open(sealed, associatedData: associated, into: $0) }
            }
        }
        return result.map { Array(plaintext[..<$0]) }
    }
}
