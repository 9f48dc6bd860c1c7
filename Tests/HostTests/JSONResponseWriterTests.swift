import Testing
@testable import Host

/// The comma and key bookkeeping behind the ABI 1.6 json writer: members need keys, elements
/// must have none, one value at the top, containers close in order.
@Suite struct JSONResponseWriterTests {
    private final class Document {
        var writer = JSONResponseWriter()
        var body: [UInt8] = []
        var text: String { String(decoding: body, as: UTF8.self) }

        func value(_ key: String, _ literal: String) -> Bool {
            guard writer.beginValue(key: key, into: &body) else { return false }
            body += literal.utf8
            return true
        }

        func open(_ key: String, object: Bool) -> Bool {
            guard writer.beginValue(key: key, into: &body) else { return false }
            writer.beginContainer(isObject: object, into: &body)
            return true
        }

        func close(object: Bool) -> Bool { writer.endContainer(isObject: object, into: &body) }
    }

    @Test func placesCommasAndEscapedKeys() {
        let document = Document()
        #expect(document.open("", object: true))
        #expect(document.value("a", "1"))
        #expect(document.open("list \"x\"", object: false))
        #expect(document.value("", "true"))
        #expect(document.value("", "null"))
        #expect(document.open("", object: true))
        #expect(document.close(object: true))
        #expect(document.close(object: false))
        #expect(document.close(object: true))
        #expect(document.text == #"{"a":1,"list \"x\"":[true,null,{}]}"#)
    }

    @Test func refusesMisplacedKeysAndASecondTopLevelValue() {
        let document = Document()
        #expect(!document.value("key", "1"))  // no key at the top
        #expect(document.open("", object: true))
        #expect(!document.value("", "1"))  // a member needs one
        #expect(document.open("items", object: false))
        #expect(!document.value("key", "1"))  // an element has none
        #expect(!document.close(object: true))  // an array is open
        #expect(document.close(object: false))
        #expect(document.close(object: true))
        #expect(!document.close(object: true))  // nothing open
        #expect(!document.value("", "2"))  // the document is complete
        #expect(document.text == #"{"items":[]}"#)
    }
}
