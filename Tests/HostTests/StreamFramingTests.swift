import Testing

@testable import Host

@Suite struct StreamFramingTests {
    private func event(_ name: String, _ data: String, _ id: String) -> String? {
        StreamFraming.event(name: Array(name.utf8), data: Array(data.utf8), id: Array(id.utf8))
            .map { String(decoding: $0, as: UTF8.self) }
    }

    @Test func eventFieldsAndTheBlankLineThatDispatches() {
        #expect(event("count", "1", "1") == "event: count\ndata: 1\nid: 1\n\n")
        #expect(event("", "plain", "") == "data: plain\n\n")
        #expect(event("", "", "") == "data: \n\n")
    }

    @Test func everyLineOfDataIsItsOwnDataLine() {
        #expect(event("", "a\nb\r\nc\rd", "") == "data: a\ndata: b\ndata: c\ndata: d\n\n")
        #expect(event("", "ends\n", "") == "data: ends\ndata: \n\n")
    }

    @Test func aLineBreakInTheNameOrIdWouldForgeAFieldAndIsRefused() {
        #expect(event("a\ndata: forged", "x", "") == nil)
        #expect(event("", "x", "1\r") == nil)
    }

    @Test func chunksCarryTheirHexLength() {
        var out: [UInt8] = []
        StreamFraming.appendChunk(Array(repeating: UInt8(ascii: "x"), count: 26), to: &out)
        #expect(String(decoding: out, as: UTF8.self) == "1a\r\n" + String(repeating: "x", count: 26) + "\r\n")
    }
}
