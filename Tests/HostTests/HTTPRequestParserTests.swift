import Testing
@testable import Host

// MARK: - Helpers

/// A head together with the bytes its ranges point into.
private struct ParsedRequest {
    let bytes: [UInt8]
    let head: HTTPRequestHead

    func text(_ range: Range<Int>) -> String {
        String(decoding: bytes[range], as: UTF8.self)
    }

    func header(_ name: String) -> String? {
        bytes.withUnsafeBytes { head.header(name, in: $0) }.map(text)
    }
}

/// A request head from its lines: each ends with CRLF and a blank line ends the head.
private func head(_ lines: String...) -> String {
    lines.map { $0 + "\r\n" }.joined() + "\r\n"
}

private func parse(bytes: [UInt8], limits: HTTPLimits = HTTPLimits()) throws(HTTPParseError) -> ParsedRequest? {
    let result = bytes.withUnsafeBytes { buffer in
        Result { () throws(HTTPParseError) in try HTTPRequestParser.parse(buffer, limits: limits) }
    }
    return try result.get().map { ParsedRequest(bytes: bytes, head: $0) }
}

private func parse(_ request: String, limits: HTTPLimits = HTTPLimits()) throws(HTTPParseError) -> ParsedRequest? {
    try parse(bytes: Array(request.utf8), limits: limits)
}

/// The status the parser rejects the request with, or nil when it accepts it (or wants more bytes).
private func rejectionStatus(bytes: [UInt8], limits: HTTPLimits = HTTPLimits()) -> Int? {
    do {
        _ = try parse(bytes: bytes, limits: limits)
        return nil
    } catch {
        return error.status
    }
}

private func rejectionStatus(_ request: String, limits: HTTPLimits = HTTPLimits()) -> Int? {
    rejectionStatus(bytes: Array(request.utf8), limits: limits)
}

// MARK: - Accepted requests

@Suite struct HTTPRequestParserAcceptanceTests {
    @Test func parsesPlainGet() throws {
        let request = head("GET /index.html HTTP/1.1", "Host: example.com", "User-Agent: test/1.0")
        let parsed = try #require(try parse(request))
        #expect(parsed.head.headLength == request.utf8.count)
        #expect(parsed.text(parsed.head.method) == "GET")
        #expect(parsed.text(parsed.head.target) == "/index.html")
        #expect(parsed.text(parsed.head.path) == "/index.html")
        #expect(parsed.head.query == nil)
        #expect(parsed.head.version == .http11)
        #expect(parsed.head.headers.map { parsed.text($0.name) } == ["Host", "User-Agent"])
        #expect(parsed.head.headers.map { parsed.text($0.value) } == ["example.com", "test/1.0"])
        #expect(parsed.head.framing == .none)
        #expect(parsed.head.keepAlive)
        #expect(!parsed.head.expectsContinue)
        #expect(!parsed.head.isUpgradeWebSocket)
    }

    @Test func splitsPathAndQuery() throws {
        let parsed = try #require(try parse(head("GET /search?q=a&b=c?d HTTP/1.1", "Host: a")))
        #expect(parsed.text(parsed.head.target) == "/search?q=a&b=c?d")
        #expect(parsed.text(parsed.head.path) == "/search")
        #expect(parsed.head.query.map(parsed.text) == "q=a&b=c?d")

        let emptyQuery = try #require(try parse(head("GET /p? HTTP/1.1", "Host: a")))
        #expect(emptyQuery.text(emptyQuery.head.path) == "/p")
        #expect(emptyQuery.head.query.map(emptyQuery.text) == "")
    }

    @Test func acceptsHeadAndOptionsAsterisk() throws {
        let headRequest = try #require(try parse(head("HEAD /x HTTP/1.1", "Host: a")))
        #expect(headRequest.text(headRequest.head.method) == "HEAD")

        let options = try #require(try parse(head("OPTIONS * HTTP/1.1", "Host: a")))
        #expect(options.text(options.head.method) == "OPTIONS")
        #expect(options.text(options.head.target) == "*")
        #expect(options.text(options.head.path) == "*")
        #expect(options.head.query == nil)
    }

    @Test func acceptsAnyTokenAsMethod() throws {
        let parsed = try #require(try parse(head("M-SEARCH~1 / HTTP/1.1", "Host: a")))
        #expect(parsed.text(parsed.head.method) == "M-SEARCH~1")
    }

    @Test(arguments: [
        ("http://example.com/a/b?x=1", "/a/b", "x=1" as String?),
        ("https://example.com:8443/a", "/a", nil),
        ("HTTP://Example.com/", "/", nil),
        ("http://example.com", "/", nil),
        ("https://example.com?x=1", "/", "x=1"),
    ])
    func splitsAbsoluteFormTarget(target: String, path: String, query: String?) throws {
        let parsed = try #require(try parse(head("GET \(target) HTTP/1.1", "Host: example.com")))
        #expect(parsed.text(parsed.head.target) == target)
        #expect(parsed.text(parsed.head.path) == path)
        #expect(parsed.head.query.map(parsed.text) == query)
    }

    @Test func trimsOptionalWhitespaceAroundValues() throws {
        let parsed = try #require(try parse(head("GET / HTTP/1.1", "Host: a", "X-A: \t value with  spaces \t ", "X-Empty:", "X-Blank:   ")))
        #expect(parsed.header("x-a") == "value with  spaces")
        #expect(parsed.header("x-empty") == "")
        #expect(parsed.header("x-blank") == "")
    }

    @Test func acceptsTabsAndObsTextInValues() throws {
        var bytes = Array(head("GET / HTTP/1.1", "Host: a", "X-Text: caf\u{E9}\tlatin").utf8)
        let parsedUTF8 = try #require(try parse(bytes: bytes))
        #expect(parsedUTF8.header("x-text") == "caf\u{E9}\tlatin")
        // A Latin-1 byte on its own is obs-text too.
        bytes = Array("GET / HTTP/1.1\r\nHost: a\r\nX-Text: caf".utf8) + [0xE9] + Array("\r\n\r\n".utf8)
        #expect(try parse(bytes: bytes) != nil)
    }

    @Test func looksUpHeadersCaseInsensitively() throws {
        let parsed = try #require(try parse(head("GET / HTTP/1.1", "Host: a", "Content-TYPE: text/plain", "X-Dup: first", "x-dup: second")))
        #expect(parsed.header("content-type") == "text/plain")
        #expect(parsed.header("Content-Type") == "text/plain")
        #expect(parsed.header("x-dup") == "first")
        #expect(parsed.header("content-typ") == nil)
        #expect(parsed.header("accept") == nil)
    }

    /// Only letters fold: '^' and '~' differ by the same bit as 'A' and 'a'.
    @Test func foldsOnlyLettersWhenComparingNames() throws {
        let parsed = try #require(try parse(head("GET / HTTP/1.1", "Host: a", "X^Y: 1")))
        #expect(parsed.header("x^y") == "1")
        #expect(parsed.header("x~y") == nil)
    }

    @Test func skipsLeadingEmptyLinesAndCountsThem() throws {
        let request = "\r\n\r\n" + head("GET / HTTP/1.1", "Host: a")
        let parsed = try #require(try parse(request))
        #expect(parsed.head.method == 4..<7)
        #expect(parsed.head.headLength == request.utf8.count)
    }

    @Test func parsesOnlyTheFirstOfPipelinedRequests() throws {
        let first = head("GET /one HTTP/1.1", "Host: a")
        let second = head("GET /two HTTP/1.1", "Host: a", "Connection: close")
        let bytes = Array((first + second).utf8)

        let parsedFirst = try #require(try parse(bytes: bytes))
        #expect(parsedFirst.head.headLength == first.utf8.count)
        #expect(parsedFirst.text(parsedFirst.head.path) == "/one")
        #expect(parsedFirst.head.keepAlive)

        let parsedSecond = try #require(try parse(bytes: Array(bytes[parsedFirst.head.headLength...])))
        #expect(parsedSecond.head.headLength == second.utf8.count)
        #expect(parsedSecond.text(parsedSecond.head.path) == "/two")
        #expect(!parsedSecond.head.keepAlive)
    }

    @Test(arguments: [
        head("GET /a?b=c HTTP/1.1", "Host: example.com", "Accept: */*", "X-Empty:"),
        "\r\n" + head("POST /upload HTTP/1.1", "Host: a", "Content-Length: 5") + "hello",
        head("GET / HTTP/1.0"),
    ])
    func returnsNilForEveryIncompletePrefix(request: String) throws {
        let bytes = Array(request.utf8)
        let complete = try #require(try parse(bytes: bytes))
        for length in 0..<complete.head.headLength {
            #expect(try parse(bytes: Array(bytes[..<length])) == nil, "prefix of \(length) bytes")
        }
    }

    @Test(arguments: [
        ("HTTP/1.1", nil as String?, true),
        ("HTTP/1.1", "close", false),
        ("HTTP/1.1", "Close", false),
        ("HTTP/1.1", "keep-alive, close", false),
        ("HTTP/1.1", "closed", true),
        ("HTTP/1.1", "keep-alive", true),
        ("HTTP/1.0", nil, false),
        ("HTTP/1.0", "keep-alive", true),
        ("HTTP/1.0", "Keep-Alive", true),
        ("HTTP/1.0", "foo , keep-alive", true),
        ("HTTP/1.0", "keep-alive, close", false),
    ])
    func decidesKeepAlive(version: String, connection: String?, keepAlive: Bool) throws {
        var lines = ["GET / \(version)", "Host: a"]
        if let connection { lines.append("Connection: \(connection)") }
        let request = lines.map { $0 + "\r\n" }.joined() + "\r\n"
        let parsed = try #require(try parse(request))
        #expect(parsed.head.keepAlive == keepAlive)
    }

    @Test func acceptsConnectionOptionsAcrossSeveralFields() throws {
        let parsed = try #require(try parse(head("GET / HTTP/1.1", "Host: a", "Connection: keep-alive", "Connection: close")))
        #expect(!parsed.head.keepAlive)
    }

    @Test func recognisesExpectContinue() throws {
        let lowercase = try #require(try parse(head("PUT /f HTTP/1.1", "Host: a", "Content-Length: 3", "Expect: 100-continue")))
        #expect(lowercase.head.expectsContinue)
        let mixedCase = try #require(try parse(head("PUT /f HTTP/1.1", "Host: a", "Content-Length: 3", "Expect: 100-Continue")))
        #expect(mixedCase.head.expectsContinue)
        // RFC 9110 §10.1.1: an HTTP/1.0 client cannot be waiting for a 100.
        let http10 = try #require(try parse(head("PUT /f HTTP/1.0", "Content-Length: 3", "Expect: 100-continue")))
        #expect(!http10.head.expectsContinue)
    }

    @Test(arguments: [
        ("HTTP/1.1", "Upgrade: websocket", "Connection: Upgrade", true),
        ("HTTP/1.1", "Upgrade: WebSocket", "Connection: keep-alive, upgrade", true),
        ("HTTP/1.1", "Upgrade: h2c, websocket", "Connection: upgrade", true),
        ("HTTP/1.1", "Upgrade: websocket", "Connection: keep-alive", false),
        ("HTTP/1.1", "Upgrade: h2c", "Connection: upgrade", false),
        ("HTTP/1.1", "X-Upgrade: websocket", "Connection: upgrade", false),
        ("HTTP/1.0", "Upgrade: websocket", "Connection: upgrade", false),
    ])
    func recognisesWebSocketUpgrade(version: String, upgrade: String, connection: String, expected: Bool) throws {
        let parsed = try #require(try parse(head("GET /ws \(version)", "Host: a", upgrade, connection)))
        #expect(parsed.head.isUpgradeWebSocket == expected)
    }

    @Test(arguments: [
        (["Content-Length: 5"], BodyFraming.contentLength(5)),
        (["Content-Length: 0"], .contentLength(0)),
        (["Content-Length:  7 "], .contentLength(7)),
        (["Content-Length: 5, 5"], .contentLength(5)),
        (["Content-Length: 5", "content-length: 5"], .contentLength(5)),
        (["Content-Length: 000000000000000005"], .contentLength(5)),
        (["Transfer-Encoding: chunked"], .chunked),
        (["Transfer-Encoding: Chunked"], .chunked),
        (["Transfer-Encoding: , chunked ,"], .chunked),
        ([], .none),
    ])
    func determinesFraming(fields: [String], framing: BodyFraming) throws {
        let request = (["POST / HTTP/1.1", "Host: a"] + fields).map { $0 + "\r\n" }.joined() + "\r\n"
        let parsed = try #require(try parse(request))
        #expect(parsed.head.framing == framing)
    }

    @Test func allowsHostToBeMissingInHTTP10() throws {
        let parsed = try #require(try parse(head("GET / HTTP/1.0")))
        #expect(parsed.head.version == .http10)
        #expect(parsed.head.headers.isEmpty)
    }

    @Test func acceptsBodyOfExactlyTheLimit() throws {
        let limits = HTTPLimits(maxBodyBytes: 100)
        let parsed = try #require(try parse(head("POST / HTTP/1.1", "Host: a", "Content-Length: 100"), limits: limits))
        #expect(parsed.head.framing == .contentLength(100))
        #expect(rejectionStatus(head("POST / HTTP/1.1", "Host: a", "Content-Length: 101"), limits: limits) == 413)
    }
}

// MARK: - Limits

@Suite struct HTTPRequestParserLimitTests {
    /// A complete head of exactly `length` bytes, padded with one header.
    private func head(ofLength length: Int) -> String {
        let fixed = "GET / HTTP/1.1\r\nHost: a\r\nX-Pad: \r\n\r\n"
        return "GET / HTTP/1.1\r\nHost: a\r\nX-Pad: " + String(repeating: "p", count: length - fixed.utf8.count) + "\r\n\r\n"
    }

    @Test func acceptsHeadOfExactlyMaxHeadBytes() throws {
        let limits = HTTPLimits(maxHeadBytes: 1024)
        let request = head(ofLength: 1024)
        let parsed = try #require(try parse(request, limits: limits))
        #expect(parsed.head.headLength == 1024)
        // Bytes after the head (a body, the next request) do not count against the limit.
        #expect(try parse(request + String(repeating: "b", count: 5000), limits: limits) != nil)
    }

    @Test func rejectsCompleteHeadLongerThanMaxHeadBytes() {
        #expect(rejectionStatus(head(ofLength: 1025), limits: HTTPLimits(maxHeadBytes: 1024)) == 431)
    }

    @Test func rejectsUnfinishedHeadOnceMaxHeadBytesArrived() throws {
        let limits = HTTPLimits(maxHeadBytes: 1024)
        let unfinished = "GET / HTTP/1.1\r\nHost: a\r\nX-Pad: " + String(repeating: "p", count: 2000)
        let bytes = Array(unfinished.utf8)
        #expect(try parse(bytes: Array(bytes[..<1023]), limits: limits) == nil)
        #expect(rejectionStatus(bytes: Array(bytes[..<1024]), limits: limits) == 431)
        #expect(rejectionStatus(bytes: bytes, limits: limits) == 431)
    }

    @Test func rejectsEndlessLeadingEmptyLines() {
        let bytes = Array(String(repeating: "\r\n", count: 600).utf8)
        #expect(rejectionStatus(bytes: bytes, limits: HTTPLimits(maxHeadBytes: 1024)) == 431)
    }

    @Test func rejectsMoreThanMaxHeaderCount() throws {
        let limits = HTTPLimits(maxHeaderCount: 10)
        let fields = (1...9).map { "X-\($0): v" }
        let request = (["GET / HTTP/1.1", "Host: a"] + fields).map { $0 + "\r\n" }.joined() + "\r\n"
        #expect(try parse(request, limits: limits)?.head.headers.count == 10)
        let oneMore = (["GET / HTTP/1.1", "Host: a"] + fields + ["X-10: v"]).map { $0 + "\r\n" }.joined() + "\r\n"
        #expect(rejectionStatus(oneMore, limits: limits) == 431)
    }
}

// MARK: - Rejected requests

@Suite struct HTTPRequestParserRejectionTests {
    @Test(arguments: [
        ("invalid character in method", "G@T / HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        ("empty method", " / HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        ("two spaces after method", "GET  / HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        ("two spaces before version", "GET /  HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        ("tab as separator", "GET\t/ HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        ("trailing space", "GET / HTTP/1.1 \r\nHost: a\r\n\r\n", 400),
        ("missing version", "GET /\r\nHost: a\r\n\r\n", 400),
        ("missing target", "GET\r\nHost: a\r\n\r\n", 400),
        ("empty target", "GET  HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        ("relative target", "GET a/b HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        ("authority-form target", "CONNECT example.com:443 HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        ("asterisk without OPTIONS", "GET * HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        ("asterisk with more", "OPTIONS *x HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        ("unsupported scheme", "GET ftp://example.com/ HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        ("absolute-form without host", "GET http:///p HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        ("absolute-form with userinfo", "GET http://u:p@example.com/ HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        ("DEL in target", "GET /a\u{7F}b HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        ("NUL in target", "GET /a\u{0}b HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        ("non-ASCII in target", "GET /caf\u{E9} HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        ("lowercase version", "GET / http/1.1\r\nHost: a\r\n\r\n", 400),
        ("short version", "GET / HTTP/1\r\nHost: a\r\n\r\n", 400),
        ("long version", "GET / HTTP/1.10\r\nHost: a\r\n\r\n", 400),
        ("non-digit version", "GET / HTTP/a.b\r\nHost: a\r\n\r\n", 400),
        ("non-digit minor version", "GET / HTTP/1.x\r\nHost: a\r\n\r\n", 400),
        ("no dot in version", "GET / HTTP/1-1\r\nHost: a\r\n\r\n", 400),
        ("other protocol", "GET / HTTPS/1.1\r\nHost: a\r\n\r\n", 400),
        ("HTTP/2.0", "GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505),
        ("HTTP/1.2", "GET / HTTP/1.2\r\nHost: a\r\n\r\n", 505),
        ("HTTP/0.9", "GET / HTTP/0.9\r\nHost: a\r\n\r\n", 505),
    ])
    func rejectsMalformedRequestLine(_ problem: String, request: String, status: Int) {
        #expect(rejectionStatus(request) == status, "\(problem)")
    }

    @Test(arguments: [
        ("bare LF line endings", "GET / HTTP/1.1\nHost: a\n\n"),
        ("bare LF after request line", "GET / HTTP/1.1\nHost: a\r\n\r\n"),
        ("bare LF after a field", "GET / HTTP/1.1\r\nHost: a\nX: b\r\n\r\n"),
        ("bare LF ending the head", "GET / HTTP/1.1\r\nHost: a\r\n\n"),
        ("bare LF before request line", "\nGET / HTTP/1.1\r\nHost: a\r\n\r\n"),
        ("bare LF after empty line", "\r\n\nGET / HTTP/1.1\r\nHost: a\r\n\r\n"),
        ("bare CR in target", "GET /\r HTTP/1.1\r\nHost: a\r\n\r\n"),
        ("bare CR after version", "GET / HTTP/1.1\rHost: a\r\n\r\n"),
        ("bare CR in value", "GET / HTTP/1.1\r\nHost: a\rb\r\n\r\n"),
        ("bare CR ending a value", "GET / HTTP/1.1\r\nHost: a\r\rX: b\r\n\r\n"),
        ("bare CR at line start", "GET / HTTP/1.1\r\nHost: a\r\n\rX: b\r\n\r\n"),
        ("bare CR before request line", "\rGET / HTTP/1.1\r\nHost: a\r\n\r\n"),
    ])
    func rejectsBareCarriageReturnOrLineFeed(_ problem: String, request: String) {
        #expect(rejectionStatus(request) == 400, "\(problem)")
    }

    @Test(arguments: [
        ("whitespace before colon", "Host : a"),
        ("tab before colon", "X-A\t: b"),
        ("whitespace inside name", "X A: b"),
        ("no colon", "X-A b"),
        ("empty name", ": b"),
        ("invalid character in name", "X(A): b"),
        ("non-ASCII name", "X-\u{E9}: b"),
        ("NUL in value", "X-A: a\u{0}b"),
        ("control in value", "X-A: a\u{1}b"),
        ("escape in value", "X-A: a\u{1B}b"),
        ("unit separator in value", "X-A: a\u{1F}"),
        ("DEL in value", "X-A: a\u{7F}"),
        ("vertical tab in value", "X-A: a\u{0B}b"),
    ])
    func rejectsMalformedField(_ problem: String, field: String) {
        #expect(rejectionStatus(head("GET / HTTP/1.1", "Host: a", field)) == 400, "\(problem)")
    }

    @Test func explainsAnEmptyTarget() {
        #expect(throws: HTTPParseError.badRequest("missing request target")) {
            try parse("GET  HTTP/1.1\r\nHost: a\r\n\r\n")
        }
    }

    @Test func rejectsObsoleteLineFolding() {
        #expect(rejectionStatus("GET / HTTP/1.1\r\nHost: a\r\nX-A: b\r\n  continued\r\n\r\n") == 400)
        #expect(rejectionStatus("GET / HTTP/1.1\r\nHost: a\r\nX-A: b\r\n\tcontinued\r\n\r\n") == 400)
        #expect(rejectionStatus("GET / HTTP/1.1\r\n Host: a\r\n\r\n") == 400)
    }

    /// Control bytes at every offset of a long value, so that the word-at-a-time scan is covered
    /// on each lane and on the bytewise tail.
    @Test(arguments: [UInt8(0x00), 0x01, 0x0B, 0x1F, 0x7F])
    func rejectsControlByteAtEveryOffsetOfValue(control: UInt8) {
        let prefix = Array("GET / HTTP/1.1\r\nHost: a\r\nX-Long: ".utf8)
        let suffix = Array("\r\n\r\n".utf8)
        for offset in 0..<40 {
            var value = [UInt8](repeating: UInt8(ascii: "v"), count: 40)
            value[offset] = control
            #expect(rejectionStatus(bytes: prefix + value + suffix) == 400, "control byte at \(offset)")
        }
        var withTabs = [UInt8](repeating: UInt8(ascii: "v"), count: 40)
        withTabs[3] = HTTPSyntax.htab
        withTabs[20] = HTTPSyntax.htab
        #expect(rejectionStatus(bytes: prefix + withTabs + suffix) == nil)
    }

    @Test func requiresExactlyOneHostInHTTP11() {
        #expect(rejectionStatus(head("GET / HTTP/1.1", "Accept: */*")) == 400)
        #expect(rejectionStatus(head("GET / HTTP/1.1", "Host: a", "Host: a")) == 400)
        #expect(rejectionStatus(head("GET / HTTP/1.1", "Host: a", "host: b")) == 400)
        #expect(rejectionStatus(head("GET / HTTP/1.0", "Host: a", "Host: b")) == 400)
    }

    @Test(arguments: [
        ("plus sign", ["Content-Length: +5"], 400),
        ("minus sign", ["Content-Length: -5"], 400),
        ("space inside", ["Content-Length: 5 5"], 400),
        ("hexadecimal", ["Content-Length: 0x5"], 400),
        ("trailing letter", ["Content-Length: 5a"], 400),
        ("decimal point", ["Content-Length: 5.0"], 400),
        ("empty", ["Content-Length:"], 400),
        ("nineteen digits", ["Content-Length: 0000000000000000005"], 400),
        ("overflowing", ["Content-Length: 99999999999999999999999"], 400),
        ("conflicting list", ["Content-Length: 5, 6"], 400),
        ("conflicting descending list", ["Content-Length: 6, 5"], 400),
        ("conflicting fields", ["Content-Length: 5", "Content-Length: 6"], 400),
        ("empty list element", ["Content-Length: 5,"], 400),
        ("leading empty element", ["Content-Length: ,5"], 400),
        ("larger than maxBodyBytes", ["Content-Length: 1048577"], 413),
        ("eighteen digits", ["Content-Length: 999999999999999999"], 413),
    ])
    func rejectsInvalidContentLength(_ problem: String, fields: [String], status: Int) {
        let request = (["POST / HTTP/1.1", "Host: a"] + fields).map { $0 + "\r\n" }.joined() + "\r\n"
        #expect(rejectionStatus(request) == status, "\(problem)")
    }

    @Test(arguments: [
        ("with Content-Length", "HTTP/1.1", ["Transfer-Encoding: chunked", "Content-Length: 5"], 400),
        ("after Content-Length", "HTTP/1.1", ["Content-Length: 5", "Transfer-Encoding: chunked"], 400),
        ("in HTTP/1.0", "HTTP/1.0", ["Transfer-Encoding: chunked"], 400),
        ("empty", "HTTP/1.1", ["Transfer-Encoding:"], 400),
        ("only commas", "HTTP/1.1", ["Transfer-Encoding: , ,"], 400),
        ("chunked not final", "HTTP/1.1", ["Transfer-Encoding: chunked, gzip"], 400),
        ("chunked missing", "HTTP/1.1", ["Transfer-Encoding: gzip"], 400),
        ("identity", "HTTP/1.1", ["Transfer-Encoding: identity"], 400),
        ("chunked twice", "HTTP/1.1", ["Transfer-Encoding: chunked, chunked"], 400),
        ("chunked twice across fields", "HTTP/1.1", ["Transfer-Encoding: chunked", "Transfer-Encoding: chunked"], 400),
        ("coding with parameter", "HTTP/1.1", ["Transfer-Encoding: chunked;q=1"], 400),
        ("two words", "HTTP/1.1", ["Transfer-Encoding: chunked x"], 400),
        ("malformed coding before chunked", "HTTP/1.1", ["Transfer-Encoding: g zip, chunked"], 400),
        ("coding with parameter before chunked", "HTTP/1.1", ["Transfer-Encoding: gzip;level=1, chunked"], 400),
        ("unsupported coding first", "HTTP/1.1", ["Transfer-Encoding: gzip, chunked"], 501),
        ("unsupported coding in another field", "HTTP/1.1", ["Transfer-Encoding: deflate", "Transfer-Encoding: chunked"], 501),
    ])
    func rejectsUnsupportedTransferEncoding(_ problem: String, version: String, fields: [String], status: Int) {
        let request = (["POST / \(version)", "Host: a"] + fields).map { $0 + "\r\n" }.joined() + "\r\n"
        #expect(rejectionStatus(request) == status, "\(problem)")
    }

    @Test func rejectsUnknownExpectation() {
        #expect(rejectionStatus(head("PUT / HTTP/1.1", "Host: a", "Content-Length: 3", "Expect: 200-ok")) == 417)
        #expect(rejectionStatus(head("PUT / HTTP/1.1", "Host: a", "Content-Length: 3", "Expect: 100-continue, x")) == 417)
        #expect(rejectionStatus(head("PUT / HTTP/1.1", "Host: a", "Content-Length: 3", "Expect:")) == 417)
    }

    @Test func reasonsNeverEchoRequestBytes() throws {
        let secret = "s3cr3t-t0k3n"
        let requests = [
            "GET /\(secret)\u{7F} HTTP/1.1\r\nHost: a\r\n\r\n",
            head("GET / HTTP/1.1", "Host: a", "Content-Length: \(secret)"),
            head("GET / HTTP/1.1", "Host: a", "Transfer-Encoding: \(secret), chunked"),
            head("GET / HTTP/1.1", "Host: a", "Expect: \(secret)"),
        ]
        for request in requests {
            do {
                _ = try parse(request)
                Issue.record("accepted a malformed request")
            } catch {
                #expect(!error.reason.contains(secret))
                #expect(!error.reason.isEmpty)
            }
        }
    }
}

// MARK: - Byte classes

@Suite struct HTTPSyntaxTests {
    @Test func tokenCharactersMatchRFC9110() {
        let tchar = Set("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ".utf8)
        for byte in UInt8.min...UInt8.max {
            #expect(HTTPSyntax.isTokenChar(byte) == tchar.contains(byte), "byte \(byte)")
        }
    }

    @Test func findsFirstLineFeedAtEveryOffset() {
        for length in 0..<24 {
            for lineFeedAt in 0...length {
                var bytes = [UInt8](repeating: UInt8(ascii: "a"), count: length)
                if lineFeedAt < length { bytes[lineFeedAt] = HTTPSyntax.lf }
                // A second LF later must not be reported instead of the first.
                if lineFeedAt + 3 < length { bytes[lineFeedAt + 3] = HTTPSyntax.lf }
                let expected = lineFeedAt < length ? lineFeedAt : nil
                let found = bytes.withUnsafeBytes { HTTPSyntax.firstLineFeed($0, from: 0, limit: length) }
                #expect(found == expected, "length \(length), LF at \(lineFeedAt)")
            }
        }
    }
}

// MARK: - Chunked bodies

/// Deterministic randomness, so that a failing split can be reproduced.
private struct SplitMix64: RandomNumberGenerator {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }
}

private struct DecodedBody: Equatable {
    var body: [UInt8]
    var consumed: Int
    var isComplete: Bool
}

/// Feeds `input` to a decoder in pieces of the given sizes (the rest in one final piece), the way
/// a connection hands over whatever each read returned.
private func decodeChunked(
    _ input: [UInt8], pieceSizes: [Int] = [], maxBodyBytes: Int = 1 << 20
) throws(HTTPParseError) -> DecodedBody {
    var decoder = ChunkedBodyDecoder(maxBodyBytes: maxBodyBytes)
    var body: [UInt8] = []
    var offset = 0
    var pieceEnds = pieceSizes.reduce(into: [Int]()) { ends, size in ends.append((ends.last ?? 0) + size) }
    pieceEnds.append(input.count)
    for pieceEnd in pieceEnds where pieceEnd > offset && !decoder.isComplete {
        let end = min(pieceEnd, input.count)
        let result = input.withUnsafeBytes { buffer in
            Result { () throws(HTTPParseError) in
                try decoder.decode(UnsafeRawBufferPointer(rebasing: buffer[offset..<end]), into: &body)
            }
        }
        offset += try result.get()
    }
    return DecodedBody(body: body, consumed: offset, isComplete: decoder.isComplete)
}

private func chunkedRejectionStatus(_ input: String, pieceSizes: [Int] = [], maxBodyBytes: Int = 1 << 20) -> Int? {
    do {
        _ = try decodeChunked(Array(input.utf8), pieceSizes: pieceSizes, maxBodyBytes: maxBodyBytes)
        return nil
    } catch {
        return error.status
    }
}

@Suite struct ChunkedBodyDecoderTests {
    static let encoded = "5;name=value;flag\r\nhello\r\n" +
        "1 ; q=\"a;b\"\r\n \r\n" +
        "000B\r\nworld!\r\n\r\nx\r\n" +
        "a\r\n0123456789\r\n" +
        "0;last\r\nChecksum: abc\r\nX-Trailer:\tvalue \r\n\r\n"
    static let decoded = "hello world!\r\n\r\nx0123456789"

    @Test func decodesChunksWithExtensionsAndTrailers() throws {
        let input = Array(Self.encoded.utf8)
        let result = try decodeChunked(input)
        #expect(String(decoding: result.body, as: UTF8.self) == Self.decoded)
        #expect(result.consumed == input.count)
        #expect(result.isComplete)
    }

    @Test func decodesByteByByte() throws {
        let input = Array(Self.encoded.utf8)
        let result = try decodeChunked(input, pieceSizes: Array(repeating: 1, count: input.count))
        #expect(String(decoding: result.body, as: UTF8.self) == Self.decoded)
        #expect(result.consumed == input.count)
        #expect(result.isComplete)
    }

    @Test func decodesRandomSplits() throws {
        let input = Array(Self.encoded.utf8)
        let whole = try decodeChunked(input)
        var generator = SplitMix64(state: 42)
        for _ in 0..<500 {
            var sizes: [Int] = []
            var total = 0
            while total < input.count {
                let size = Int.random(in: 0...12, using: &generator)
                sizes.append(size)
                total += size
            }
            #expect(try decodeChunked(input, pieceSizes: sizes) == whole, "splits \(sizes)")
        }
    }

    @Test func isIncompleteUntilTheFinalLineFeed() throws {
        let input = Array(Self.encoded.utf8)
        for length in 0..<input.count {
            let partial = try decodeChunked(Array(input[..<length]))
            #expect(!partial.isComplete, "prefix of \(length) bytes")
            #expect(partial.consumed == length)
        }
    }

    @Test func leavesTheNextPipelinedRequestUnconsumed() throws {
        let body = Array("3\r\nabc\r\n0\r\n\r\n".utf8)
        let next = Array("GET / HTTP/1.1\r\nHost: a\r\n\r\n".utf8)
        let inOnePiece = try decodeChunked(body + next)
        #expect(inOnePiece.consumed == body.count)
        #expect(inOnePiece.body == Array("abc".utf8))
        #expect(inOnePiece.isComplete)

        let inTwoPieces = try decodeChunked(body + next, pieceSizes: [body.count - 2])
        #expect(inTwoPieces.consumed == body.count)
    }

    @Test func consumesNothingOnceComplete() throws {
        var decoder = ChunkedBodyDecoder(maxBodyBytes: 100)
        var body: [UInt8] = []
        let consumed = try Array("0\r\n\r\n".utf8).withUnsafeBytes { buffer throws(HTTPParseError) in
            try decoder.decode(buffer, into: &body)
        }
        #expect(consumed == 5)
        let afterwards = try Array("1\r\nx\r\n".utf8).withUnsafeBytes { buffer throws(HTTPParseError) in
            try decoder.decode(buffer, into: &body)
        }
        #expect(afterwards == 0)
        #expect(body.isEmpty)
    }

    @Test func acceptsSixteenHexDigitsAndSizeLineOfExactlyTheLimit() throws {
        #expect(try decodeChunked(Array("0000000000000003\r\nabc\r\n0\r\n\r\n".utf8)).body == Array("abc".utf8))
        let sizeLine = "1;" + String(repeating: "e", count: ChunkedBodyDecoder.maxChunkSizeLineBytes - 4) + "\r\n"
        #expect(try decodeChunked(Array((sizeLine + "x\r\n0\r\n\r\n").utf8)).body == [UInt8(ascii: "x")])
    }

    @Test func acceptsBodyOfExactlyMaxBodyBytes() throws {
        let result = try decodeChunked(Array("6\r\nhello \r\n4\r\nyou!\r\n0\r\n\r\n".utf8), maxBodyBytes: 10)
        #expect(result.body.count == 10)
    }

    @Test(arguments: [
        ("whitespace before size", " 5\r\nhello\r\n0\r\n\r\n", 400),
        ("tab before size", "\t5\r\nhello\r\n0\r\n\r\n", 400),
        ("negative size", "-5\r\nhello\r\n0\r\n\r\n", 400),
        ("hex prefix", "0x5\r\nhello\r\n0\r\n\r\n", 400),
        ("plus sign", "+5\r\nhello\r\n0\r\n\r\n", 400),
        ("empty size", "\r\nhello\r\n0\r\n\r\n", 400),
        ("non-hex size", "g\r\nhello\r\n0\r\n\r\n", 400),
        ("seventeen hex digits", "00000000000000005\r\nhello\r\n0\r\n\r\n", 400),
        ("trailing whitespace without extension", "5 \r\nhello\r\n0\r\n\r\n", 400),
        ("bare LF after size", "5\nhello\r\n0\r\n\r\n", 400),
        ("bare CR after size", "5\rhello\r\n0\r\n\r\n", 400),
        ("CR and another byte after size", "5\rXhello\r\n0\r\n\r\n", 400),
        ("missing size before extension", ";ext\r\n\r\n", 400),
        ("missing size before final CRLF", "\r\n\r\n", 400),
        ("control byte in extension", "5;a\u{1}\r\nhello\r\n0\r\n\r\n", 400),
        ("bare LF in extension", "5;a\nb\r\nhello\r\n0\r\n\r\n", 400),
        ("data longer than size", "5\r\nhello!\r\n0\r\n\r\n", 400),
        ("data shorter than size", "6\r\nhello\r\n0\r\n\r\n", 400),
        ("bare LF after data", "5\r\nhello\n0\r\n\r\n", 400),
        ("bare CR after data", "5\r\nhello\r0\r\n\r\n", 400),
        ("other byte instead of CR after data", "5\r\nhelloX\n0\r\n\r\n", 400),
        ("other byte instead of LF after data", "5\r\nhello\rX0\r\n\r\n", 400),
        ("trailer obs-fold", "0\r\nX: a\r\n b\r\n\r\n", 400),
        ("trailer starting with whitespace", "0\r\n X: a\r\n\r\n", 400),
        ("trailer whitespace before colon", "0\r\nX : a\r\n\r\n", 400),
        ("trailer without colon", "0\r\nX\r\n\r\n", 400),
        ("trailer with empty name", "0\r\n: a\r\n\r\n", 400),
        ("control byte in trailer", "0\r\nX: a\u{1}\r\n\r\n", 400),
        ("bare LF in trailer", "0\r\nX: a\n\r\n", 400),
        ("bare CR in trailer", "0\r\nX: a\rY\r\n\r\n", 400),
        ("bare LF ending trailers", "0\r\nX: a\r\n\n", 400),
        ("bare CR ending trailers", "0\r\n\rX", 400),
        ("bare LF after last chunk", "0\r\n\n", 400),
        ("chunk larger than maxBodyBytes", "B\r\nhello world\r\n0\r\n\r\n", 413),
        ("chunks together larger than maxBodyBytes", "6\r\nhello \r\n5\r\nworld\r\n0\r\n\r\n", 413),
        ("size overflowing any buffer", "FFFFFFFFFFFFFFFF\r\n", 413),
    ])
    func rejectsMalformedChunkedBody(_ problem: String, input: String, status: Int) {
        #expect(chunkedRejectionStatus(input, maxBodyBytes: 10) == status, "\(problem)")
        // The same verdict when the bytes trickle in one at a time.
        let oneByteEach = Array(repeating: 1, count: input.utf8.count)
        #expect(chunkedRejectionStatus(input, pieceSizes: oneByteEach, maxBodyBytes: 10) == status, "\(problem), byte by byte")
    }

    @Test func rejectsChunkSizeLineLongerThanTheLimit() {
        let sizeLine = "1;" + String(repeating: "e", count: ChunkedBodyDecoder.maxChunkSizeLineBytes - 3) + "\r\n"
        #expect(chunkedRejectionStatus(sizeLine + "x\r\n0\r\n\r\n") == 400)
        // The limit holds while the line is still arriving, before any CRLF.
        #expect(chunkedRejectionStatus("1;" + String(repeating: "e", count: 10_000)) == 400)
    }

    @Test func rejectsTrailersLargerThanTheLimit() throws {
        let field = "X-T: " + String(repeating: "t", count: 1000) + "\r\n"
        let fieldCount = ChunkedBodyDecoder.maxTrailerBytes / field.utf8.count
        let fitting = String(repeating: field, count: fieldCount)
        #expect(try decodeChunked(Array(("0\r\n" + fitting + "\r\n").utf8)).isComplete)
        let tooMany = String(repeating: field, count: fieldCount + 1)
        #expect(chunkedRejectionStatus("0\r\n" + tooMany + "\r\n") == 431)
    }
}
