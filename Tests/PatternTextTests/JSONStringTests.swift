import Foundation
import PatternText
import Testing

@Suite struct JSONStringTests {
    @Test func escapesWhatRFC8259RequiresAndNothingElse() {
        #expect(JSONString.quoted("quote\" back\\ nl\n cr\r tab\t") == #""quote\" back\\ nl\n cr\r tab\t""#)
        #expect(JSONString.quoted("\u{0}\u{1}\u{8}\u{C}\u{1B}\u{1F}") == #""\u0000\u0001\u0008\u000c\u001b\u001f""#)
        // DEL, the solidus and non-ASCII text need no escape (RFC 8259 §7): copied as they are.
        #expect(JSONString.quoted("del\u{7F} /é😀") == "\"del\u{7F} /é😀\"")
    }

    @Test func everyByteBelowDELRoundTripsThroughFoundation() throws {
        let text = String(decoding: (0..<0x80).map { UInt8($0) }, as: UTF8.self)
        let quoted = JSONString.quoted(text)
        let parsed = try JSONSerialization.jsonObject(with: Data(quoted.utf8), options: .fragmentsAllowed) as? String
        #expect(parsed == text)
    }

    @Test func appendsAfterWhatIsAlreadyThere() {
        var out = Array("x=".utf8)
        JSONString.append("a\"b", to: &out)
        #expect(String(decoding: out, as: UTF8.self) == #"x="a\"b""#)
    }
}
