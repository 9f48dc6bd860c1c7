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

    @Test func everyLineEndingCommentsAndFields() throws {
        var reader = ServerSentEventReader()
        #expect(try reader.read(Self.stream) == expected)
        #expect(reader.retry == 2500)
    }

    @Test func anEventSplitAtEveryByteOffsetReadsTheSame() throws {
        for split in 0...Self.stream.count {
            var reader = ServerSentEventReader()
            let events = try reader.read(Self.stream[..<split]) + reader.read(Self.stream[split...])
            #expect(events == expected, "split at \(split)")
        }
    }

    @Test func byteByByte() throws {
        var reader = ServerSentEventReader()
        let events = try Self.stream.flatMap { try reader.read([$0]) }
        #expect(events == expected)
    }

    @Test func anIncompleteEventIsNotHandedOver() throws {
        var reader = ServerSentEventReader()
        #expect(try reader.read(Array("data: half\n".utf8)).isEmpty)
        #expect(try reader.read(Array("\n".utf8)) == [event("", "half")])
    }

    @Test func leadingByteOrderMarkAndBadRetryAreIgnored() throws {
        var reader = ServerSentEventReader()
        #expect(try reader.read([0xEF, 0xBB, 0xBF] + Array("data: a\nretry: 1x\n\n".utf8)) == [event("", "a")])
        #expect(reader.retry == nil)
    }

    // MARK: The bound on an event (max_event_bytes)

    @Test func anEventOfExactlyTheBoundIsDelivered() throws {
        var reader = ServerSentEventReader(maxEventBytes: 8)
        #expect(try reader.read(Array("data: 1234\ndata: 567\n\n".utf8)) == [event("", "1234\n567")])
        #expect(try reader.read(Array("data:12345678\n\n".utf8)) == [event("", "12345678")])
    }

    @Test func dataPastTheBoundOverLinesIsRefused() {
        var reader = ServerSentEventReader(maxEventBytes: 8)
        #expect(throws: ServerSentEventReader.TooLarge()) { try reader.read(Array("data: 1234\ndata: 5678\n".utf8)) }
    }

    @Test func anOversizedLineIsRefusedBeforeItEnds() {
        // No line end ever comes: the reader must not wait for it, holding the whole event.
        var reader = ServerSentEventReader(maxEventBytes: 1024)
        #expect(throws: ServerSentEventReader.TooLarge()) { try reader.read(Array("data: ".utf8) + Array(repeating: 0x61, count: 1025)) }
    }

    @Test func withoutABoundAnyEventIsDelivered() throws {
        var reader = ServerSentEventReader()
        let big = String(repeating: "a", count: 1 << 20)
        #expect(try reader.read(Array("data: \(big)\n\n".utf8)) == [event("", big)])
    }
}
