import Testing

@testable import Host

@Suite struct ServerSentEventReaderTests {
    typealias Event = ServerSentEventReader.Event

    func event(_ name: String = "", _ data: String, id: String = "") -> Event {
        Event(name: Array(name.utf8), data: Array(data.utf8), id: Array(id.utf8))
    }

    static let stream = Array((": comment\r\n" + "event: greeting\r\ndata: hello\r\nid: 7\r\n\r\n"
        + "data: one\ndata: two\n\n" + "retry: 2500\rdata:no space\r\r" + "data\n\n" + "event: ignored-without-data\n\n"
        + "id\ndata: x\r\n\r\n").utf8)
    var expected: [Event] {
        [event("greeting", "hello", id: "7"), event("", "one\ntwo", id: "7"), event("", "no space", id: "7"),
         event("", "", id: "7"), event("", "x", id: "")]
    }

    @Test func everyLineEndingCommentsAndFields() {
        var reader = ServerSentEventReader()
        #expect(reader.read(Self.stream) == expected)
        #expect(reader.retry == 2500)
    }

    @Test func anEventSplitAtEveryByteOffsetReadsTheSame() {
        for split in 0...Self.stream.count {
            var reader = ServerSentEventReader()
            let events = reader.read(Self.stream[..<split]) + reader.read(Self.stream[split...])
            #expect(events == expected, "split at \(split)")
        }
    }

    @Test func byteByByte() {
        var reader = ServerSentEventReader()
        let events = Self.stream.flatMap { reader.read([$0]) }
        #expect(events == expected)
    }

    @Test func anIncompleteEventIsNotHandedOver() {
        var reader = ServerSentEventReader()
        #expect(reader.read(Array("data: half\n".utf8)).isEmpty)
        #expect(reader.read(Array("\n".utf8)) == [event("", "half")])
    }

    @Test func leadingByteOrderMarkAndBadRetryAreIgnored() {
        var reader = ServerSentEventReader()
        #expect(reader.read([0xEF, 0xBB, 0xBF] + Array("data: a\nretry: 1x\n\n".utf8)) == [event("", "a")])
        #expect(reader.retry == nil)
    }
}
