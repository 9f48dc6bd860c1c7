import Testing
@testable import PluginKit
import PatternText

@Suite struct JSONTextTests {
    private func parse(_ text: String) -> JSONValue? { JSONText.parse(Array(text.utf8)) }

    @Test func parsesRFC8259Values() {
        #expect(parse(" { \"a\" : [ 1 , -2.5 , 3e2 , true , false , null , \"x\" ] } ")
            == ["a": [1, -2.5, 300, true, false, .null, "x"]])
        #expect(parse("-0") == .integer(0))
        #expect(parse("9223372036854775807") == .integer(Int64.max))
        #expect(parse("1.25E-2") == .number(0.0125))
        #expect(parse("{\"k\":1,\"k\":2}") == ["k": 2]) // the last duplicate wins
    }

    @Test func decodesEscapes() {
        #expect(parse(#""a\"b\\c\/d\b\f\n\r\t""#) == .string("a\"b\\c/d\u{8}\u{c}\n\r\t"))
        #expect(parse(#""\u00e9\u20AC\ud83d\ude00""#) == .string("é€😀"))
        #expect(parse("\"h\u{e9}llo\"") == .string("héllo"))
    }

    @Test(arguments: [
        "", " ", "{", "[1,]", "{\"a\":1,}", "{a:1}", "01", "1.", ".5", "-", "1e", "+1", "tru", "nul", "\"abc",
        "\"\\x\"", "\"\\u12\"", "\"\\ud83d\"", "\"\\ude00\"", "\"tab\there\"", "[1] 2", "NaN", "1e400", "'a'",
    ])
    func refusesMalformedText(_ text: String) {
        #expect(parse(text) == nil)
    }

    @Test func refusesInvalidUTF8AndDeepNesting() {
        #expect(JSONText.parse([0x22, 0xFF, 0x22]) == nil)
        #expect(JSONText.parse(Array(("[" + String(repeating: "[", count: 64) + String(repeating: "]", count: 65)).utf8)) == nil)
        #expect(JSONText.parse(Array((String(repeating: "[", count: 64) + String(repeating: "]", count: 64)).utf8)) != nil)
    }

    @Test func writesEscapedSortedCompactText() {
        let value: JSONValue = ["b": "q\"\\\n\u{1}é/", "a": [1, 2.5, true, .null], "c": [:]]
        #expect(value.jsonText == #"{"a":[1,2.5,true,null],"b":"q\"\\\n\u0001é/","c":{}}"#)
        #expect(parse(value.jsonText) == value)
    }
}
