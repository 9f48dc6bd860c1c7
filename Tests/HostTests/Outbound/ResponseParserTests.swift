import Testing

@testable import Host

@Suite struct ResponseParserTests {
    /// Parses `text` fed in pieces of `step` bytes (the unconsumed rest offered again with more).
    func parse(_ text: String, step: Int = .max, max: Int = 1 << 20, head: Bool = false, close: Bool = false)
        throws(OutboundFailure) -> [ResponseParser.Output]
    {
        var parser = ResponseParser(maxBodyBytes: max, isHeadRequest: head)
        let bytes = Array(text.utf8)
        var pending: [UInt8] = []
        var outputs: [ResponseParser.Output] = []
        var offset = 0
        while offset < bytes.count {
            let end = min(bytes.count, offset + min(step, bytes.count))
            pending += bytes[offset..<end]
            offset = end
            let result = pending.withUnsafeBytes { raw in Result { () throws(OutboundFailure) in try parser.parse(raw, into: &outputs) } }
            pending.removeFirst(try result.get())
        }
        if close { try parser.close(into: &outputs) }
        return outputs
    }

    /// The head and the body joined (pieces may split anywhere).
    func summary(_ outputs: [ResponseParser.Output]) -> (status: Int?, keepAlive: Bool?, body: String, ended: Bool) {
        var status: Int?, keepAlive: Bool?, body: [UInt8] = [], ended = false
        for output in outputs {
            switch output {
            case .head(let head): status = head.status; keepAlive = head.keepAlive
            case .body(let bytes): body += bytes
            case .end: ended = true
            }
        }
        return (status, keepAlive, String(decoding: body, as: UTF8.self), ended)
    }

    @Test func contentLengthAtEverySplit() throws {
        let text = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A:  spaced  \r\n\r\nhello"
        for step in 1...text.utf8.count {
            let result = summary(try parse(text, step: step))
            #expect(result.status == 200 && result.keepAlive == true && result.body == "hello" && result.ended, "step \(step)")
        }
        guard case .head(let head) = try parse(text).first else { Issue.record("no head"); return }
        #expect(head.value("x-a") == "spaced")
    }

    @Test func chunkedWithTrailersAndInterimResponse() throws {
        let text = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "5\r\nhello\r\n1;ext=1\r\n!\r\n0\r\nTrailer: x\r\n\r\n"
        for step in [1, 3, 7, 1000] {
            let result = summary(try parse(text, step: step))
            #expect(result.status == 200 && result.body == "hello!" && result.ended)
        }
    }

    @Test func readUntilCloseIsNotReusable() throws {
        let result = summary(try parse("HTTP/1.1 200 OK\r\n\r\nstream", close: true))
        #expect(result.body == "stream" && result.ended && result.keepAlive == false)
    }

    @Test func noBodyForHeadRequests204And304() throws {
        #expect(summary(try parse("HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n", head: true)).ended)
        #expect(summary(try parse("HTTP/1.1 204 No Content\r\n\r\n")).ended)
        #expect(summary(try parse("HTTP/1.1 304 Not Modified\r\nContent-Length: 9\r\n\r\n")).ended)
    }

    @Test func connectionHeaderAndVersionDecideKeepAlive() throws {
        #expect(summary(try parse("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n")).keepAlive == false)
        #expect(summary(try parse("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n")).keepAlive == false)
        #expect(summary(try parse("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n")).keepAlive == true)
        // Both framings: the chunked one wins and the connection is not reused.
        let both = summary(try parse("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"))
        #expect(both.ended && both.keepAlive == false)
    }

    func outcome(_ text: String, max: Int = 1 << 20, close: Bool = false) -> OutboundOutcome? {
        do throws(OutboundFailure) {
            _ = try parse(text, max: max, close: close)
            return nil
        } catch {
            return error.outcome
        }
    }

    @Test func limitsAndMalformedResponses() {
        #expect(outcome("HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\n", max: 10) == .tooLarge)
        #expect(outcome("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nb\r\nhello world\r\n", max: 10) == .tooLarge)
        #expect(outcome("HTTP/1.1 200 OK\r\n\r\n" + String(repeating: "x", count: 11), max: 10) == .tooLarge)
        #expect(outcome("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort", close: true) == .protocol)
        #expect(outcome("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n") == .protocol)
        #expect(outcome("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n") == .protocol)
        #expect(outcome("HTTP/2 200\r\n\r\n") == .protocol)
        #expect(outcome("HTTP/1.1 200 OK\r\nBad Header: x\r\n\r\n") == .protocol)
        #expect(outcome("HTTP/1.1 200 OK\r\nX: a\r\n folded\r\n\r\n") == .protocol)
        #expect(outcome("HTTP/1.1 101 Switching Protocols\r\n\r\n") == .protocol)
        #expect(outcome("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n") == .protocol)
        #expect(outcome("HTTP/1.1 200 OK\r\n" + String(repeating: "X-Long: y\r\n", count: 7000)) == .protocol)
        #expect(outcome("HTTP/1.1 200 OK\r\nContent-Le", close: true) == .protocol)
    }

    @Test func stopsAtTheEndOfTheResponse() throws {
        var parser = ResponseParser(maxBodyBytes: 100, isHeadRequest: false)
        var outputs: [ResponseParser.Output] = []
        let bytes = Array("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokEXTRA".utf8)
        let consumed = try bytes.withUnsafeBytes { raw in try Result { () throws(OutboundFailure) in try parser.parse(raw, into: &outputs) }.get() }
        #expect(consumed == bytes.count - 5 && parser.isComplete)
    }

    /// PATTERN_CLIENT_EVENTS reads a body as events only when it is one: a 2xx text/event-stream.
    @Test(arguments: [
        (200, "text/event-stream", true), (201, "Text/Event-Stream; charset=utf-8", true),
        (200, "text/event-stream ;charset=utf-8", true), (200, "application/json", false),
        (200, "text/event-streams", false), (200, nil, false), (404, "text/event-stream", false),
    ] as [(Int, String?, Bool)])
    func isEventStreamTakesA2xxEventStreamMediaType(status: Int, type: String?, expected: Bool) {
        let headers = type.map { [OutboundRequest.Header(name: Array("Content-Type".utf8), value: Array($0.utf8))] } ?? []
        #expect(ResponseParser.Head(status: status, headers: headers, keepAlive: true).isEventStream == expected)
    }
}
