import Testing
@testable import Host

@Suite struct WebSocketSessionTests {
    /// A masked client frame.
    private func frame(_ opcode: UInt8, _ payload: [UInt8], fin: Bool = true) -> [UInt8] {
        var out: [UInt8] = [(fin ? 0x80 : 0) | opcode]
        if payload.count < 126 {
            out.append(0x80 | UInt8(payload.count))
        } else {
            out += [0x80 | 126, UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)]
        }
        let key: [UInt8] = [0x11, 0x22, 0x33, 0x44]
        out += key
        out += payload.enumerated().map { $1 ^ key[$0 % 4] }
        return out
    }

    private func receive(_ bytes: [UInt8], limit: Int = 1 << 20) -> (events: [WebSocketSession.Event], consumed: Int) {
        var session = WebSocketSession(maxMessageBytes: limit)
        var events: [WebSocketSession.Event] = []
        let consumed = bytes.withUnsafeBytes { session.receive($0, events: &events) }
        return (events, consumed)
    }

    @Test func partialFramesAreLeftForLater() {
        let whole = frame(0x1, Array("hello".utf8))
        for cut in 0..<whole.count {
            let result = receive(Array(whole[..<cut]))
            #expect(result.events.isEmpty && result.consumed == 0, "prefix of \(cut) bytes")
        }
        #expect(receive(whole).events == [.text(Array("hello".utf8))])
    }

    @Test func fragmentsJoinAcrossCalls() {
        var session = WebSocketSession(maxMessageBytes: 100)
        var events: [WebSocketSession.Event] = []
        let first = frame(0x2, [1, 2], fin: false)
        let second = frame(0x0, [3], fin: true)
        _ = first.withUnsafeBytes { session.receive($0, events: &events) }
        #expect(events.isEmpty)
        _ = second.withUnsafeBytes { session.receive($0, events: &events) }
        #expect(events == [.binary([1, 2, 3])])
    }

    @Test func sixteenBitLengths() {
        let payload = [UInt8](repeating: 0x61, count: 300)
        #expect(receive(frame(0x1, payload)).events == [.text(payload)])
    }

    @Test func limitsAreCheckedBeforeThePayloadArrives() {
        let header = Array(frame(0x2, [UInt8](repeating: 0, count: 200))[0..<4])
        #expect(receive(header, limit: 100).events == [.fail(1009, "message too big")])
    }

    @Test func closeCodes() {
        #expect(receive(frame(0x8, [0x03, 0xE8])).events == [.close(1000)])
        #expect(receive(frame(0x8, [])).events == [.close(nil)])
        if case .fail(1002, _) = receive(frame(0x8, [0x03, 0xED])).events.first {} else {
            Issue.record("1005 must be refused")
        }
    }

    @Test func utf8Validator() {
        func valid(_ bytes: [UInt8]) -> Bool {
            var validator = UTF8Validator()
            return bytes.withUnsafeBytes { validator.consume($0) } && validator.isComplete
        }
        #expect(valid(Array("κόσμε €𝄞".utf8)))
        #expect(!valid([0xC0, 0xAF]))              // overlong '/'
        #expect(!valid([0xED, 0xA0, 0x80]))        // surrogate U+D800
        #expect(!valid([0xF4, 0x90, 0x80, 0x80]))  // above U+10FFFF
        #expect(!valid([0xE2, 0x82]))              // truncated
        #expect(!valid([0xFF]))
    }

    @Test func handshakeAcceptValueFromTheRFC() {
        #expect(WebSocketHandshake.acceptValue(forKey: "dGhlIHNhbXBsZSBub25jZQ==") == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
        #expect(WebSocketHandshake.isValidKey("dGhlIHNhbXBsZSBub25jZQ=="))
        #expect(!WebSocketHandshake.isValidKey("dGhlIHNhbXBsZSBub25jZQ"))
    }
}
