import PatternCrypto

/// The text form of a sealed value: `pk1.<key id>.<base64url without padding of nonce | ciphertext | tag>`.
/// ASCII only, so it fits a TEXT column anywhere. The header (`pk1.<key id>.`, always 13
/// characters) is authenticated too, as the start of the GCM associated data, so a value's
/// format and key id cannot be swapped without the tag failing.
enum SealedText {
    static let headerCount = 13
    private static let formatPrefix = Array("pk1.".utf8)
    private static let overhead = AESGCM.nonceSize + AESGCM.tagSize

    /// `pk1.<key id>.`
    static func header(keyID: String) -> [UInt8] { formatPrefix + Array(keyID.utf8) + [UInt8(ascii: ".")] }

    /// The length of the text for a plaintext of `plaintextCount` bytes (unpadded base64url
    /// of nonce, ciphertext and tag after the header).
    static func count(plaintextCount: Int) -> Int {
        let payload = plaintextCount + overhead
        return headerCount + (payload * 4 + 2) / 3
    }

    enum Problem: Error, Equatable {
        /// Not a sealed value at all, or a damaged one.
        case malformed
        /// `pk<n>.` of a format this host does not know.
        case unknownFormat
    }

    struct Parts {
        let keyID: String
        let header: [UInt8]
        let nonce: [UInt8]
        /// Ciphertext then tag.
        let sealed: [UInt8]

        var plaintextCount: Int { sealed.count - AESGCM.tagSize }
    }

    static func parse(_ text: UnsafeRawBufferPointer) -> Result<Parts, Problem> {
        guard text.starts(with: formatPrefix) else {
            return isOtherFormat(text) ? .failure(.unknownFormat) : .failure(.malformed)
        }
        guard text.count >= headerCount, text[headerCount - 1] == UInt8(ascii: "."),
              text[formatPrefix.count..<headerCount - 1].allSatisfy(isLowerHex),
              let payload = Base64URL.decode(String(decoding: text[headerCount...], as: UTF8.self)),
              payload.count >= overhead
        else { return .failure(.malformed) }
        let header = Array(text[..<headerCount])
        return .success(Parts(keyID: String(decoding: header[formatPrefix.count..<headerCount - 1], as: UTF8.self),
                              header: header, nonce: Array(payload[..<AESGCM.nonceSize]),
                              sealed: Array(payload[AESGCM.nonceSize...])))
    }

    /// `pk` and digits, then `.`: a later format's header.
    private static func isOtherFormat(_ text: UnsafeRawBufferPointer) -> Bool {
        guard text.starts(with: "pk".utf8), let dot = text.firstIndex(of: UInt8(ascii: ".")), dot > 2 else { return false }
        return text[2..<dot].allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
    }

    private static func isLowerHex(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
    }
}
