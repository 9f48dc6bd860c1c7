import PatternCrypto

/// The opening handshake (RFC 6455 §4.2): checks the upgrade request and computes the
/// 101 answer. Permessage-deflate and other extensions are declined by not answering them.
enum WebSocketHandshake {
    static let guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

    enum Refusal: Error, Equatable {
        /// 400 with the API's error body.
        case badRequest(String)
        /// 426 with `Sec-WebSocket-Version: 13`.
        case unsupportedVersion
    }

    /// The Sec-WebSocket-Accept value for a valid upgrade request.
    static func accept(_ context: RequestContext) throws(Refusal) -> String {
        guard context.head.isUpgradeWebSocket, context.method.elementsEqual("GET".utf8) else {
            throw .badRequest("Expected a WebSocket upgrade: GET with Upgrade: websocket and Connection: upgrade.")
        }
        guard context.header("sec-websocket-version") == "13" else { throw .unsupportedVersion }
        guard let key = context.header("sec-websocket-key"), isValidKey(key) else {
            throw .badRequest("Sec-WebSocket-Key must be 16 bytes in base64.")
        }
        return acceptValue(forKey: key)
    }

    static func acceptValue(forKey key: String) -> String {
        standardBase64(Crypto.sha1(Array((key + guid).utf8)))
    }

    /// A base64 (standard alphabet, padded) encoding of exactly 16 bytes: 24 characters.
    static func isValidKey(_ key: String) -> Bool {
        let bytes = Array(key.utf8)
        guard bytes.count == 24, bytes[22] == UInt8(ascii: "="), bytes[23] == UInt8(ascii: "=") else { return false }
        let alphabet = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        return bytes[0..<22].allSatisfy { alphabet.contains($0) }
    }

    /// Standard base64 with padding (the handshake's alphabet), from the URL-safe encoder.
    static func standardBase64(_ bytes: [UInt8]) -> String {
        var text = Base64URL.encode(bytes).replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while text.utf8.count % 4 != 0 { text += "=" }
        return text
    }
}
