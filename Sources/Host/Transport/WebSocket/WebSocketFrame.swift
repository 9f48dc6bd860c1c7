/// RFC 6455 §5.2 frame opcodes.
enum WebSocketOpcode: UInt8, Sendable {
    case continuation = 0x0, text = 0x1, binary = 0x2, close = 0x8, ping = 0x9, pong = 0xA

    var isControl: Bool { rawValue & 0x8 != 0 }
}

/// Close codes the server sends (RFC 6455 §7.4.1).
enum WebSocketCloseCode {
    static let normal: UInt16 = 1000
    static let goingAway: UInt16 = 1001
    static let protocolError: UInt16 = 1002
    static let invalidPayload: UInt16 = 1007
    static let policyViolation: UInt16 = 1008
    static let messageTooBig: UInt16 = 1009
    static let internalError: UInt16 = 1011

    /// Codes a peer may send in a Close frame (§7.4): others are a protocol error.
    static func isValidReceived(_ code: UInt16) -> Bool {
        switch code {
        case 1000...1003, 1007...1014, 3000...4999: true
        default: false
        }
    }
}

/// Writes unmasked server frames (§5.1: a server never masks).
enum WebSocketFrameWriter {
    static func append(_ opcode: WebSocketOpcode, payload: some Collection<UInt8>, to out: inout [UInt8]) {
        out.append(0x80 | opcode.rawValue)
        let length = payload.count
        if length < 126 {
            out.append(UInt8(length))
        } else if length <= 0xFFFF {
            out.append(126)
            out.append(UInt8(length >> 8))
            out.append(UInt8(length & 0xFF))
        } else {
            out.append(127)
            for shift in stride(from: 56, through: 0, by: -8) { out.append(UInt8((length >> shift) & 0xFF)) }
        }
        out.append(contentsOf: payload)
    }

    static func frame(_ opcode: WebSocketOpcode, payload: some Collection<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(payload.count + 10)
        append(opcode, payload: payload, to: &out)
        return out
    }

    static func close(code: UInt16, reason: String = "") -> [UInt8] {
        frame(.close, payload: [UInt8(code >> 8), UInt8(code & 0xFF)] + Array(reason.utf8.prefix(123)))
    }
}
