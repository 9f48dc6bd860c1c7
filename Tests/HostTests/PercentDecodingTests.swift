import Testing
@testable import Host

@Suite struct PercentDecodingTests {
    private func text(_ raw: String, plusIsSpace: Bool = true) -> String? {
        Array(raw.utf8).withUnsafeBytes { bytes in
            PercentDecoding.decodeText(bytes, plusIsSpace: plusIsSpace).map { String(decoding: $0, as: UTF8.self) }
        }
    }

    @Test func decodesText() {
        #expect(text("a+b%20c") == "a b c")
        #expect(text("a+b", plusIsSpace: false) == "a+b")
        #expect(text("caf%C3%A9%20%F0%9F%98%80") == "café 😀")
        #expect(text("") == "")
        #expect(text("%7E%21") == "~!")
    }

    @Test(arguments: [
        "a%00b", "%01", "%09", "%0A", "%1F", "%7F", "%C2%80", "%C2%9F",  // control characters (C0, DEL, C1)
        "%FF", "%C3", "%C3%28", "%ED%A0%80", "%F4%90%80%80", "%C0%AF",  // not UTF-8
        "%zz", "%", "a%2", "%%41",  // malformed percent-encoding
    ])
    func refusesWhatIsNotText(raw: String) {
        #expect(text(raw) == nil)
    }

    @Test func keepsTheCharactersNextToTheControlRanges() {
        #expect(text("%20") == " ")
        #expect(text("%C2%A0") == "\u{A0}")
    }
}
