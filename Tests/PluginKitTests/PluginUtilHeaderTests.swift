import Foundation
import PluginABI
import Testing

/// pattern_plugin_util.h, the C authors' helpers, called from Swift: what they write must be
/// what a JSON parser reads back.
@Suite struct PluginUtilHeaderTests {
    private func buffer(limit: Int = 1 << 20) -> pattern_buffer {
        pattern_buffer(bytes: nil, len: 0, capacity: 0, limit: limit, failed: 0)
    }

    private func text(_ b: pattern_buffer) -> String {
        String(decoding: UnsafeRawBufferPointer(start: b.bytes, count: b.len), as: UTF8.self)
    }

    private func withStr(_ bytes: [UInt8], _ body: (pattern_str) -> Void) {
        bytes.withUnsafeBufferPointer { raw in
            raw.withMemoryRebound(to: CChar.self) { chars in body(pattern_str(ptr: chars.baseAddress, len: chars.count)) }
        }
    }

    private func append(_ text: String, to b: inout pattern_buffer) {
        withStr(Array(text.utf8)) { pattern_buffer_append(&b, $0) }
    }

    @Test func jsonStringsParseBackToTheTextWithMalformedUTF8Replaced() throws {
        let raw: [UInt8] = Array("quote\" back\\ nl\n tab\t bell\u{07} del\u{7F} é 😀 ".utf8) + [0xFF, 0xC3] + Array("end".utf8)
        var b = buffer()
        withStr(raw) { pattern_buffer_json_string(&b, $0) }
        defer { pattern_buffer_free(&b) }
        #expect(b.failed == 0)
        let parsed = try JSONSerialization.jsonObject(with: Data(text(b).utf8), options: .fragmentsAllowed) as? String
        #expect(parsed == "quote\" back\\ nl\n tab\t bell\u{07} del\u{7F} é 😀 \u{FFFD}\u{FFFD}end")
        #expect(text(b).contains("del\u{7F}")) // RFC 8259 does not escape DEL
    }

    @Test func integersRenderIncludingTheExtremes() {
        var b = buffer()
        defer { pattern_buffer_free(&b) }
        for value in [Int64.min, -1, 0, 7, Int64.max] {
            pattern_buffer_int(&b, value)
            append(" ", to: &b)
        }
        #expect(text(b) == "-9223372036854775808 -1 0 7 9223372036854775807 ")
    }

    @Test func anAppendPastTheLimitFailsAndKeepsWhatWasThere() {
        var b = buffer(limit: 8)
        defer { pattern_buffer_free(&b) }
        append("abcdef", to: &b)
        append("ghi", to: &b)
        #expect(b.failed == 1)
        #expect(text(b) == "abcdef")
        append("g", to: &b)
        #expect(text(b) == "abcdef")  // a failed buffer stays failed: one check at the end suffices
    }
}
