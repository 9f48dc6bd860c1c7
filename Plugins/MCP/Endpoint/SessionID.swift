import PatternCrypto

/// An `Mcp-Session-Id`: 256 bits from OpenSSL's CSPRNG as 64 hex digits (visible ASCII, as
/// the transport requires), so a session cannot be guessed or enumerated.
enum SessionID {
    private static let digits = Array("0123456789abcdef".utf8)

    static func make() -> String {
        var text: [UInt8] = []
        text.reserveCapacity(64)
        for byte in Crypto.randomBytes(32) {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 15)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}
