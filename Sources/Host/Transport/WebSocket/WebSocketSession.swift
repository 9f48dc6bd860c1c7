/// The receiving half of RFC 6455 for one connection: parses client frames from the bytes a
/// connection buffered, checks every rule of §5 (masking, reserved bits and opcodes, control
/// frame limits, fragmentation order, UTF-8 of text and close reasons, size limits) and
/// assembles messages. Pure state, no I/O: the event loop feeds it and acts on its events.
struct WebSocketSession {
    enum Event: Equatable {
        case text([UInt8])
        case binary([UInt8])
        case ping([UInt8])
        case pong
        /// The peer's Close: its code (nil when the frame had no payload).
        case close(UInt16?)
        /// A protocol violation: close with this code.
        case fail(UInt16, String)
    }

    let maxMessageBytes: Int
    private var messageOpcode: WebSocketOpcode?
    private var message: [UInt8] = []
    private var utf8 = UTF8Validator()

    init(maxMessageBytes: Int) {
        self.maxMessageBytes = maxMessageBytes
    }

    /// Consumes whole frames from `input`, appending what they mean to `events`; returns the
    /// number of bytes consumed. Stops after a close or a failure.
    mutating func receive(_ input: UnsafeRawBufferPointer, events: inout [Event]) -> Int {
        var offset = 0
        while true {
            let remaining = UnsafeRawBufferPointer(rebasing: input[offset...])
            guard remaining.count >= 2 else { return offset }
            let first = remaining[0]
            let second = remaining[1]
            guard first & 0x70 == 0 else { return fail(&events, WebSocketCloseCode.protocolError, "reserved bits set", offset) }
            guard let opcode = WebSocketOpcode(rawValue: first & 0x0F) else {
                return fail(&events, WebSocketCloseCode.protocolError, "reserved opcode", offset)
            }
            let fin = first & 0x80 != 0
            guard second & 0x80 != 0 else { return fail(&events, WebSocketCloseCode.protocolError, "client frames must be masked", offset) }
            var headerLength = 2
            var length = Int(second & 0x7F)
            if length == 126 {
                guard remaining.count >= 4 else { return offset }
                length = Int(remaining[2]) << 8 | Int(remaining[3])
                headerLength = 4
            } else if length == 127 {
                guard remaining.count >= 10 else { return offset }
                guard remaining[2] & 0x80 == 0 else { return fail(&events, WebSocketCloseCode.protocolError, "frame length too large", offset) }
                var value: UInt64 = 0
                for index in 2..<10 { value = value << 8 | UInt64(remaining[index]) }
                guard value <= UInt64(maxMessageBytes) else {
                    return fail(&events, WebSocketCloseCode.messageTooBig, "message too big", offset)
                }
                length = Int(value)
                headerLength = 10
            }
            if opcode.isControl {
                guard fin, length <= 125 else {
                    return fail(&events, WebSocketCloseCode.protocolError, "control frames must be final and at most 125 bytes", offset)
                }
            } else {
                if opcode == .continuation && messageOpcode == nil {
                    return fail(&events, WebSocketCloseCode.protocolError, "continuation without a message", offset)
                }
                if opcode != .continuation && messageOpcode != nil {
                    return fail(&events, WebSocketCloseCode.protocolError, "new message before the last one ended", offset)
                }
                if message.count + length > maxMessageBytes {
                    return fail(&events, WebSocketCloseCode.messageTooBig, "message too big", offset)
                }
            }
            guard remaining.count >= headerLength + 4 + length else { return offset }
            let mask = (remaining[headerLength], remaining[headerLength + 1], remaining[headerLength + 2], remaining[headerLength + 3])
            let payload = UnsafeRawBufferPointer(rebasing: remaining[(headerLength + 4)..<(headerLength + 4 + length)])
            offset += headerLength + 4 + length

            if opcode.isControl {
                let unmasked = Self.unmask(payload, mask)
                switch opcode {
                case .ping:
                    events.append(.ping(unmasked))
                case .pong:
                    events.append(.pong)
                default:
                    return closeReceived(unmasked, &events, offset)
                }
                continue
            }
            if opcode != .continuation {
                messageOpcode = opcode
                utf8 = UTF8Validator()
            }
            let start = message.count
            message.append(contentsOf: Self.unmask(payload, mask))
            if messageOpcode == .text {
                let valid = message.withUnsafeBytes { utf8.consume(UnsafeRawBufferPointer(rebasing: $0[start...])) }
                guard valid, !fin || utf8.isComplete else {
                    return fail(&events, WebSocketCloseCode.invalidPayload, "text is not valid UTF-8", offset)
                }
            }
            if fin {
                events.append(messageOpcode == .text ? .text(message) : .binary(message))
                messageOpcode = nil
                message = []
            }
        }
    }

    private func closeReceived(_ payload: [UInt8], _ events: inout [Event], _ offset: Int) -> Int {
        if payload.isEmpty {
            events.append(.close(nil))
            return offset
        }
        guard payload.count >= 2 else { return fail(&events, WebSocketCloseCode.protocolError, "close payload of one byte", offset) }
        let code = UInt16(payload[0]) << 8 | UInt16(payload[1])
        guard WebSocketCloseCode.isValidReceived(code) else {
            return fail(&events, WebSocketCloseCode.protocolError, "invalid close code", offset)
        }
        var reason = UTF8Validator()
        let valid = payload.withUnsafeBytes { reason.consume(UnsafeRawBufferPointer(rebasing: $0[2...])) }
        guard valid && reason.isComplete else {
            return fail(&events, WebSocketCloseCode.invalidPayload, "close reason is not valid UTF-8", offset)
        }
        events.append(.close(code))
        return offset
    }

    private func fail(_ events: inout [Event], _ code: UInt16, _ reason: String, _ offset: Int) -> Int {
        events.append(.fail(code, reason))
        return offset
    }

    private static func unmask(_ payload: UnsafeRawBufferPointer, _ mask: (UInt8, UInt8, UInt8, UInt8)) -> [UInt8] {
        let key = [mask.0, mask.1, mask.2, mask.3]
        var out = [UInt8](repeating: 0, count: payload.count)
        for index in 0..<payload.count { out[index] = payload[index] ^ key[index & 3] }
        return out
    }
}
