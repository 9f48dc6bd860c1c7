/// Bounds on what one request may make the server buffer before it answers.
struct HTTPLimits: Sendable {
    /// Request line plus header fields, counting every CRLF and the blank line that ends the head.
    var maxHeadBytes = 16 * 1024
    var maxHeaderCount = 100
    /// Largest body accepted, whether framed by Content-Length or chunked.
    var maxBodyBytes = 1 << 20
}

enum HTTPVersion: Sendable {
    case http10, http11
}

/// How the body that follows the head is delimited (RFC 9112 §6.3).
enum BodyFraming: Sendable, Equatable {
    /// No body: neither Content-Length nor Transfer-Encoding was sent.
    case none
    case contentLength(Int)
    /// Decode what follows the head with `ChunkedBodyDecoder`.
    case chunked
}

/// One header field, as byte offsets into the buffer that was parsed.
struct HTTPHeaderRange: Sendable {
    var name: Range<Int>
    /// The field value without leading or trailing whitespace; may be empty.
    var value: Range<Int>
}

/// A validated request head. It holds byte offsets rather than strings so that parsing allocates
/// nothing but the header array; every range is relative to the start of the buffer given to
/// `HTTPRequestParser.parse`, which the caller keeps until it has read what it needs.
struct HTTPRequestHead: Sendable {
    /// Bytes from the start of the buffer through the CRLF of the blank line, including any empty
    /// lines skipped before the request line. The body, or the next pipelined request, starts here.
    var headLength: Int
    var method: Range<Int>
    /// The request-target exactly as sent.
    var target: Range<Int>
    /// The path to route on: the target up to '?'. For absolute-form (`http://host/p?q`) it is the
    /// `/p` part; when such a target has no path it is a "/" taken from the scheme's "//", so the
    /// path is never empty. For `OPTIONS *` it is the "*".
    var path: Range<Int>
    /// The part after '?', without it; nil when the target has no '?'.
    var query: Range<Int>?
    var version: HTTPVersion
    /// Every header field, in the order received.
    var headers: [HTTPHeaderRange]
    var framing: BodyFraming
    /// Whether the connection may carry another request after this one: HTTP/1.1 unless
    /// `Connection: close`; HTTP/1.0 only with `Connection: keep-alive`.
    var keepAlive: Bool
    /// The client sent `Expect: 100-continue` over HTTP/1.1 and waits for a 100 before the body.
    /// (RFC 9110 §10.1.1: a server ignores this expectation from an HTTP/1.0 client.)
    var expectsContinue: Bool
    /// An HTTP/1.1 request with `Upgrade: websocket` and `Connection: upgrade`. The WebSocket
    /// handshake still has to check the method and the Sec-WebSocket-* fields.
    var isUpgradeWebSocket: Bool
}

extension HTTPRequestHead {
    /// The value of the first header field with this name, compared ASCII case-insensitively.
    func header(_ lowercaseName: String, in buffer: UnsafeRawBufferPointer) -> Range<Int>? {
        let wanted = lowercaseName.utf8
        for field in headers where field.name.count == wanted.count {
            let matches = zip(field.name, wanted).allSatisfy { offset, byte in
                HTTPSyntax.lowercased(buffer[offset]) == HTTPSyntax.lowercased(byte)
            }
            if matches { return field.value }
        }
        return nil
    }
}

/// An incremental, bounded HTTP/1.1 request-head parser (RFC 9112 §2–§7, RFC 9110 field rules).
///
/// It works on raw bytes and never builds strings, so a small GET costs well under a microsecond.
/// It is strict wherever leniency would let two parsers disagree about where a request ends
/// (bare CR or LF, obs-fold, whitespace before the colon, conflicting framing headers): such
/// disagreements are how requests are smuggled past proxies.
enum HTTPRequestParser {
    /// Parses the head at the start of `buffer`.
    ///
    /// Returns nil while the head is incomplete; the caller reads more and calls again with the whole
    /// buffer. Each call first looks for the end of the head with a cheap byte scan, so repeated
    /// calls on a trickling head stay fast, and only a complete head is parsed field by field.
    /// Throws when the head is malformed, when it does not end within `limits.maxHeadBytes` (431),
    /// or when it announces a body larger than `limits.maxBodyBytes` (413), so that the server never
    /// reads such a body.
    static func parse(_ buffer: UnsafeRawBufferPointer, limits: HTTPLimits) throws(HTTPParseError) -> HTTPRequestHead? {
        let searchLimit = min(buffer.count, limits.maxHeadBytes)
        let requestLineStart = skipLeadingEmptyLines(buffer, limit: searchLimit)
        guard let headLength = try findEndOfHead(buffer, from: requestLineStart, limit: searchLimit) else {
            if buffer.count >= limits.maxHeadBytes {
                throw .headerFieldsTooLarge("request head too large")
            }
            return nil
        }
        return try parseCompleteHead(buffer, from: requestLineStart, headLength: headLength, limits: limits)
    }

    /// RFC 9112 §2.2: a server should ignore at least one empty line received before the request
    /// line (some clients send a CRLF after a POST body). They still count toward the head's size.
    private static func skipLeadingEmptyLines(_ buffer: UnsafeRawBufferPointer, limit: Int) -> Int {
        var start = 0
        while start + 1 < limit && buffer[start] == HTTPSyntax.cr && buffer[start + 1] == HTTPSyntax.lf {
            start += 2
        }
        return start
    }

    /// Returns the offset just past the first CRLF CRLF at or after `start`, or nil when the first
    /// `limit` bytes do not contain one. A LF without a CR before it is rejected here rather than
    /// later, so that a client ending its lines with bare LF gets a 400 instead of a wait for more.
    private static func findEndOfHead(_ buffer: UnsafeRawBufferPointer, from start: Int, limit: Int) throws(HTTPParseError) -> Int? {
        var searchStart = start
        while let lineFeed = HTTPSyntax.firstLineFeed(buffer, from: searchStart, limit: limit) {
            guard lineFeed > start && buffer[lineFeed - 1] == HTTPSyntax.cr else {
                throw .badRequest("bare LF in request head")
            }
            // Every earlier LF was checked to follow a CR, so a LF two bytes back means CRLF CRLF.
            if lineFeed - start >= 2 && buffer[lineFeed - 2] == HTTPSyntax.lf {
                return lineFeed + 1
            }
            searchStart = lineFeed + 1
        }
        return nil
    }

    /// Parses a head known to end with CRLF CRLF at `headLength`. That final CR acts as a sentinel:
    /// every scanning loop below stops at a CR, so none of them needs a bounds check.
    private static func parseCompleteHead(
        _ buffer: UnsafeRawBufferPointer, from requestLineStart: Int, headLength: Int, limits: HTTPLimits
    ) throws(HTTPParseError) -> HTTPRequestHead {
        var cursor = requestLineStart
        let requestLine = try parseRequestLine(buffer, cursor: &cursor)
        let (path, query) = try splitTarget(buffer, requestLine.target, method: requestLine.method)

        var headers: [HTTPHeaderRange] = []
        headers.reserveCapacity(min(16, limits.maxHeaderCount))
        var fields = InterpretedFields()
        let blankLine = headLength - 2
        while cursor != blankLine {
            let field = try parseHeaderField(buffer, cursor: &cursor, headEnd: headLength)
            guard headers.count < limits.maxHeaderCount else {
                throw .headerFieldsTooLarge("too many header fields")
            }
            headers.append(field)
            try fields.interpret(field, in: buffer)
        }

        let version = requestLine.version
        return HTTPRequestHead(
            headLength: headLength,
            method: requestLine.method,
            target: requestLine.target,
            path: path,
            query: query,
            version: version,
            headers: headers,
            framing: try fields.framing(version: version, limits: limits),
            keepAlive: version == .http11
                ? !fields.connectionClose
                : fields.connectionKeepAlive && !fields.connectionClose,
            expectsContinue: version == .http11 && fields.expectsContinue,
            // RFC 9110 §7.8: a server must ignore Upgrade in an HTTP/1.0 request.
            isUpgradeWebSocket: version == .http11 && fields.upgradeWebSocket && fields.connectionUpgrade
        )
    }

    /// `method SP request-target SP HTTP-version CRLF`, with exactly one space between the parts.
    private static func parseRequestLine(
        _ buffer: UnsafeRawBufferPointer, cursor: inout Int
    ) throws(HTTPParseError) -> (method: Range<Int>, target: Range<Int>, version: HTTPVersion) {
        let methodStart = cursor
        var offset = methodStart
        while HTTPSyntax.isTokenChar(buffer[offset]) { offset += 1 }
        guard offset > methodStart && buffer[offset] == HTTPSyntax.space else {
            throw .badRequest("malformed method")
        }
        let method = methodStart..<offset

        offset += 1
        let targetStart = offset
        while HTTPSyntax.isVisibleASCII(buffer[offset]) { offset += 1 }
        guard offset > targetStart else {
            throw .badRequest("missing request target")
        }
        guard buffer[offset] == HTTPSyntax.space else {
            throw .badRequest(buffer[offset] == HTTPSyntax.cr
                ? "missing HTTP version" : "invalid character in request target")
        }
        let target = targetStart..<offset

        offset += 1
        let versionStart = offset
        while buffer[offset] != HTTPSyntax.cr { offset += 1 }
        guard buffer[offset + 1] == HTTPSyntax.lf else {
            throw .badRequest("bare CR in request line")
        }
        let version = try parseVersion(buffer, versionStart..<offset)
        cursor = offset + 2
        return (method, target, version)
    }

    /// Only HTTP/1.1 and HTTP/1.0 are served; any other well-formed `HTTP/x.y` gets 505 so the
    /// client learns it is the version, not the request, that was refused.
    private static func parseVersion(_ buffer: UnsafeRawBufferPointer, _ version: Range<Int>) throws(HTTPParseError) -> HTTPVersion {
        let start = version.lowerBound
        guard version.count == 8,
              HTTPSyntax.bytes(buffer, start..<start + 5, equal: "HTTP/"),
              HTTPSyntax.isDigit(buffer[start + 5]),
              buffer[start + 6] == UInt8(ascii: "."),
              HTTPSyntax.isDigit(buffer[start + 7])
        else {
            throw .badRequest("malformed HTTP version")
        }
        switch (buffer[start + 5], buffer[start + 7]) {
        case (UInt8(ascii: "1"), UInt8(ascii: "1")): return .http11
        case (UInt8(ascii: "1"), UInt8(ascii: "0")): return .http10
        default: throw .versionNotSupported("HTTP version not supported")
        }
    }

    /// Accepts the three target forms a server sees (RFC 9112 §3.2): origin-form (`/p?q`),
    /// absolute-form (`http://host/p?q`) and asterisk-form (`*`, for `OPTIONS` only). A proxy's
    /// authority-form (`CONNECT host:port`) is refused.
    private static func splitTarget(
        _ buffer: UnsafeRawBufferPointer, _ target: Range<Int>, method: Range<Int>
    ) throws(HTTPParseError) -> (path: Range<Int>, query: Range<Int>?) {
        switch buffer[target.lowerBound] {
        case HTTPSyntax.slash:
            return splitPathAndQuery(buffer, target)
        case UInt8(ascii: "*"):
            guard target.count == 1, HTTPSyntax.bytes(buffer, method, equal: "OPTIONS") else {
                throw .badRequest("asterisk target is only allowed for OPTIONS")
            }
            return (target, nil)
        default:
            return try splitAbsoluteForm(buffer, target)
        }
    }

    private static func splitAbsoluteForm(
        _ buffer: UnsafeRawBufferPointer, _ target: Range<Int>
    ) throws(HTTPParseError) -> (path: Range<Int>, query: Range<Int>?) {
        let authorityStart: Int
        if HTTPSyntax.hasPrefix(buffer, target, lowercase: "http://") {
            authorityStart = target.lowerBound + 7
        } else if HTTPSyntax.hasPrefix(buffer, target, lowercase: "https://") {
            authorityStart = target.lowerBound + 8
        } else {
            throw .badRequest("unsupported request target")
        }
        var authorityEnd = authorityStart
        while authorityEnd < target.upperBound
                && buffer[authorityEnd] != HTTPSyntax.slash
                && buffer[authorityEnd] != HTTPSyntax.questionMark {
            // RFC 9110 §4.2.4: userinfo in an http(s) URI is deprecated and must be treated as an error.
            guard buffer[authorityEnd] != UInt8(ascii: "@") else {
                throw .badRequest("userinfo in request target")
            }
            authorityEnd += 1
        }
        guard authorityEnd > authorityStart else {
            throw .badRequest("missing host in request target")
        }
        if authorityEnd < target.upperBound && buffer[authorityEnd] == HTTPSyntax.slash {
            return splitPathAndQuery(buffer, authorityEnd..<target.upperBound)
        }
        // RFC 9112 §3.2.1: an empty path is sent as "/"; borrow the last slash of the scheme's "//".
        let rootPath = authorityStart - 1..<authorityStart
        let query = authorityEnd < target.upperBound ? authorityEnd + 1..<target.upperBound : nil
        return (rootPath, query)
    }

    private static func splitPathAndQuery(
        _ buffer: UnsafeRawBufferPointer, _ pathAndQuery: Range<Int>
    ) -> (path: Range<Int>, query: Range<Int>?) {
        var offset = pathAndQuery.lowerBound
        while offset < pathAndQuery.upperBound {
            if buffer[offset] == HTTPSyntax.questionMark {
                return (pathAndQuery.lowerBound..<offset, offset + 1..<pathAndQuery.upperBound)
            }
            offset += 1
        }
        return (pathAndQuery, nil)
    }

    /// `field-name ":" OWS field-value OWS CRLF` (RFC 9112 §5). The value is returned trimmed.
    private static func parseHeaderField(
        _ buffer: UnsafeRawBufferPointer, cursor: inout Int, headEnd: Int
    ) throws(HTTPParseError) -> HTTPHeaderRange {
        let nameStart = cursor
        var offset = nameStart
        while HTTPSyntax.isTokenChar(buffer[offset]) { offset += 1 }
        guard offset > nameStart && buffer[offset] == HTTPSyntax.colon else {
            throw .badRequest(malformedFieldReason(buffer[offset], atLineStart: offset == nameStart))
        }
        let name = nameStart..<offset

        offset += 1
        while HTTPSyntax.isWhitespace(buffer[offset]) { offset += 1 }
        let valueStart = offset
        // Values are most of a head's bytes: skip eight plain bytes at a time, then finish bytewise.
        while offset + 8 <= headEnd && !HTTPSyntax.containsControlByte(HTTPSyntax.word(buffer, at: offset)) {
            offset += 8
        }
        while HTTPSyntax.isFieldValueChar(buffer[offset]) { offset += 1 }
        guard buffer[offset] == HTTPSyntax.cr else {
            throw .badRequest("invalid character in header value")
        }
        guard buffer[offset + 1] == HTTPSyntax.lf else {
            throw .badRequest("bare CR in header field")
        }
        var valueEnd = offset
        while valueEnd > valueStart && HTTPSyntax.isWhitespace(buffer[valueEnd - 1]) { valueEnd -= 1 }
        cursor = offset + 2
        return HTTPHeaderRange(name: name, value: valueStart..<valueEnd)
    }

    /// Names the common ways a field line goes wrong, since they are the ones used for smuggling.
    private static func malformedFieldReason(_ byte: UInt8, atLineStart: Bool) -> String {
        if HTTPSyntax.isWhitespace(byte) {
            return atLineStart ? "obsolete line folding" : "whitespace in header field name"
        }
        if byte == HTTPSyntax.colon {
            return "empty header field name"
        }
        return "malformed header field"
    }
}

/// The header fields that decide framing, persistence and expectations, folded into one value
/// while the fields are parsed so that no second pass over the headers is needed.
private struct InterpretedFields {
    var hostCount = 0
    var contentLength: Int?
    var transferCodings: TransferCodings?
    var connectionClose = false
    var connectionKeepAlive = false
    var connectionUpgrade = false
    var expectsContinue = false
    var upgradeWebSocket = false

    mutating func interpret(_ field: HTTPHeaderRange, in buffer: UnsafeRawBufferPointer) throws(HTTPParseError) {
        let name = field.name
        // The length check is a cheap first filter before comparing names byte by byte.
        switch name.count {
        case 4 where HTTPSyntax.bytes(buffer, name, equalLowercase: "host"):
            hostCount += 1
        case 6 where HTTPSyntax.bytes(buffer, name, equalLowercase: "expect"):
            guard HTTPSyntax.bytes(buffer, field.value, equalLowercase: "100-continue") else {
                throw .expectationFailed("unsupported expectation")
            }
            expectsContinue = true
        case 7 where HTTPSyntax.bytes(buffer, name, equalLowercase: "upgrade"):
            for element in FieldListElements(buffer, field.value)
            where HTTPSyntax.bytes(buffer, element, equalLowercase: "websocket") {
                upgradeWebSocket = true
            }
        case 10 where HTTPSyntax.bytes(buffer, name, equalLowercase: "connection"):
            interpretConnection(field.value, in: buffer)
        case 14 where HTTPSyntax.bytes(buffer, name, equalLowercase: "content-length"):
            try interpretContentLength(field.value, in: buffer)
        case 17 where HTTPSyntax.bytes(buffer, name, equalLowercase: "transfer-encoding"):
            var codings = transferCodings ?? TransferCodings()
            try codings.append(contentsOf: field.value, in: buffer)
            transferCodings = codings
        default:
            break
        }
    }

    private mutating func interpretConnection(_ value: Range<Int>, in buffer: UnsafeRawBufferPointer) {
        for option in FieldListElements(buffer, value) {
            switch option.count {
            case 5 where HTTPSyntax.bytes(buffer, option, equalLowercase: "close"): connectionClose = true
            case 7 where HTTPSyntax.bytes(buffer, option, equalLowercase: "upgrade"): connectionUpgrade = true
            case 10 where HTTPSyntax.bytes(buffer, option, equalLowercase: "keep-alive"): connectionKeepAlive = true
            default: break
            }
        }
    }

    /// RFC 9110 §8.6 lets a recipient accept repeated Content-Length values (in one list or in
    /// several fields) only when they are all the same; anything else means two parsers could
    /// disagree on where the body ends.
    private mutating func interpretContentLength(_ value: Range<Int>, in buffer: UnsafeRawBufferPointer) throws(HTTPParseError) {
        for element in FieldListElements(buffer, value) {
            let length = try Self.parseContentLength(element, in: buffer)
            if let previous = contentLength, previous != length {
                throw .badRequest("conflicting Content-Length headers")
            }
            contentLength = length
        }
    }

    /// 1 to 18 decimal digits: enough for any real body, and too few to overflow an Int.
    private static func parseContentLength(_ digits: Range<Int>, in buffer: UnsafeRawBufferPointer) throws(HTTPParseError) -> Int {
        guard (1...18).contains(digits.count) else {
            throw .badRequest("invalid Content-Length")
        }
        var length = 0
        for offset in digits {
            let byte = buffer[offset]
            guard HTTPSyntax.isDigit(byte) else {
                throw .badRequest("invalid Content-Length")
            }
            length = length * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return length
    }

    /// Decides how the body is delimited (RFC 9112 §6.3) and enforces the Host rule (§3.2).
    func framing(version: HTTPVersion, limits: HTTPLimits) throws(HTTPParseError) -> BodyFraming {
        if hostCount > 1 {
            throw .badRequest("multiple Host headers")
        }
        if hostCount == 0 && version == .http11 {
            throw .badRequest("missing Host header")
        }
        if let transferCodings {
            // An HTTP/1.0 recipient may not understand chunked, so a 1.0 message using it is suspect
            // (§6.1), and Transfer-Encoding beside Content-Length is the classic smuggling vector (§6.3).
            guard version == .http11 else {
                throw .badRequest("Transfer-Encoding in an HTTP/1.0 request")
            }
            guard contentLength == nil else {
                throw .badRequest("both Transfer-Encoding and Content-Length")
            }
            try transferCodings.validate()
            return .chunked
        }
        if let contentLength {
            guard contentLength <= limits.maxBodyBytes else {
                throw .contentTooLarge("request body too large")
            }
            return .contentLength(contentLength)
        }
        return .none
    }
}

/// The transfer codings of a request, in order, across all of its Transfer-Encoding fields.
/// Only enough is kept to tell whether the list is exactly `chunked`. Codings with parameters are
/// refused as malformed: `chunked` takes none, and no other coding is supported anyway.
private struct TransferCodings {
    var chunkedCount = 0
    var lastIsChunked = false
    var hasOtherCoding = false

    mutating func append(contentsOf value: Range<Int>, in buffer: UnsafeRawBufferPointer) throws(HTTPParseError) {
        // RFC 9110 §5.6.1: empty list elements are ignored.
        for coding in FieldListElements(buffer, value) where !coding.isEmpty {
            guard coding.allSatisfy({ HTTPSyntax.isTokenChar(buffer[$0]) }) else {
                throw .badRequest("malformed Transfer-Encoding")
            }
            let isChunked = HTTPSyntax.bytes(buffer, coding, equalLowercase: "chunked")
            if isChunked { chunkedCount += 1 } else { hasOtherCoding = true }
            lastIsChunked = isChunked
        }
    }

    /// RFC 9112 §6.3 requires a 400 when chunked is not the final coding (an empty list included),
    /// since the body's end cannot then be found, and §7 forbids applying chunked twice. A
    /// well-framed list that also names another coding (say `gzip, chunked`) is valid HTTP this
    /// server does not implement: 501.
    func validate() throws(HTTPParseError) {
        guard lastIsChunked else {
            throw .badRequest("Transfer-Encoding does not end with chunked")
        }
        guard chunkedCount == 1 else {
            throw .badRequest("chunked applied more than once")
        }
        guard !hasOtherCoding else {
            throw .notImplemented("unsupported transfer coding")
        }
    }
}

/// The elements of a comma-separated field value (RFC 9110 §5.6.1), each trimmed of OWS.
/// Empty elements are produced too: most lists ignore them, Content-Length rejects them.
private struct FieldListElements: Sequence, IteratorProtocol {
    private let buffer: UnsafeRawBufferPointer
    private var position: Int
    private let end: Int
    private var isFinished = false

    init(_ buffer: UnsafeRawBufferPointer, _ value: Range<Int>) {
        self.buffer = buffer
        self.position = value.lowerBound
        self.end = value.upperBound
    }

    mutating func next() -> Range<Int>? {
        guard !isFinished else { return nil }
        var separator = position
        while separator < end && buffer[separator] != UInt8(ascii: ",") { separator += 1 }
        var elementStart = position
        var elementEnd = separator
        while elementStart < elementEnd && HTTPSyntax.isWhitespace(buffer[elementStart]) { elementStart += 1 }
        while elementEnd > elementStart && HTTPSyntax.isWhitespace(buffer[elementEnd - 1]) { elementEnd -= 1 }
        if separator == end { isFinished = true } else { position = separator + 1 }
        return elementStart..<elementEnd
    }
}

/// Byte classes and comparisons from the HTTP grammar (RFC 9110 §5.6), on raw ASCII bytes.
enum HTTPSyntax {
    static let cr: UInt8 = 0x0D
    static let lf: UInt8 = 0x0A
    static let space: UInt8 = 0x20
    static let htab: UInt8 = 0x09
    static let colon: UInt8 = 0x3A
    static let slash: UInt8 = 0x2F
    static let questionMark: UInt8 = 0x3F

    /// Bit n is set when byte n (0–63) is a tchar: ! # $ % & ' * + - . and 0–9.
    static let tokenCharsBelow64: UInt64 = 0x03FF_6CFA_0000_0000
    /// Bit n is set when byte 64+n is a tchar: A–Z ^ _ ` a–z | ~.
    static let tokenCharsFrom64: UInt64 = 0x57FF_FFFF_C7FF_FFFE

    /// `tchar` (RFC 9110 §5.6.2): the characters of methods, field names and transfer codings.
    @inline(__always)
    static func isTokenChar(_ byte: UInt8) -> Bool {
        // Written without data-dependent branches: names mix letters, digits and '-'.
        let mask = byte & 0x40 == 0 ? tokenCharsBelow64 : tokenCharsFrom64
        return byte < 0x80 && mask & (1 << UInt64(byte & 0x3F)) != 0
    }

    /// VCHAR: what a request-target may contain.
    @inline(__always)
    static func isVisibleASCII(_ byte: UInt8) -> Bool {
        byte > 0x20 && byte < 0x7F
    }

    /// Field content (RFC 9110 §5.5): VCHAR, SP, HTAB and obs-text (0x80–0xFF). Every other
    /// control byte, including CR, NUL and DEL, is refused.
    @inline(__always)
    static func isFieldValueChar(_ byte: UInt8) -> Bool {
        byte >= 0x20 ? byte != 0x7F : byte == htab
    }

    /// OWS is made of spaces and horizontal tabs.
    @inline(__always)
    static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == space || byte == htab
    }

    @inline(__always)
    static func isDigit(_ byte: UInt8) -> Bool {
        byte &- UInt8(ascii: "0") < 10
    }

    @inline(__always)
    static func lowercased(_ byte: UInt8) -> UInt8 {
        byte &- UInt8(ascii: "A") < 26 ? byte | 0x20 : byte
    }

    /// The eight bytes at `offset`, the first one in the lowest byte whatever the platform.
    @inline(__always)
    static func word(_ buffer: UnsafeRawBufferPointer, at offset: Int) -> UInt64 {
        UInt64(littleEndian: buffer.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    private static let eachByte: UInt64 = 0x0101_0101_0101_0101
    private static let eachHighBit: UInt64 = 0x8080_8080_8080_8080

    /// Sets the high bit of the lowest byte of `word` that is below `bound` (at most 0x80); bits
    /// above it may be set spuriously by the borrow, those below never are. Zero when no byte is.
    /// This is the classic "has less" bit trick for examining eight bytes per operation.
    @inline(__always)
    private static func bytesBelow(_ bound: UInt8, in word: UInt64) -> UInt64 {
        (word &- eachByte &* UInt64(bound)) & ~word & eachHighBit
    }

    /// The offset of the first LF in `start..<limit`, or nil. It examines eight bytes per step,
    /// which keeps the search for the end of a trickling head cheap.
    static func firstLineFeed(_ buffer: UnsafeRawBufferPointer, from start: Int, limit: Int) -> Int? {
        var offset = start
        while offset + 8 <= limit {
            let lineFeeds = bytesBelow(1, in: word(buffer, at: offset) ^ (eachByte &* UInt64(lf)))
            if lineFeeds != 0 {
                return offset + lineFeeds.trailingZeroBitCount / 8
            }
            offset += 8
        }
        while offset < limit {
            if buffer[offset] == lf { return offset }
            offset += 1
        }
        return nil
    }

    /// Whether any of the eight bytes is a control byte (below 0x20, which includes HTAB) or DEL:
    /// a word without one is plain field content.
    @inline(__always)
    static func containsControlByte(_ word: UInt64) -> Bool {
        bytesBelow(0x20, in: word) | bytesBelow(1, in: word ^ (eachByte &* 0x7F)) != 0
    }

    /// Exact comparison, for the parts of HTTP that are case-sensitive (method, "HTTP/").
    @inline(__always)
    static func bytes(_ buffer: UnsafeRawBufferPointer, _ range: Range<Int>, equal literal: StaticString) -> Bool {
        guard range.count == literal.utf8CodeUnitCount else { return false }
        let expected = literal.utf8Start
        for index in 0..<range.count where buffer[range.lowerBound + index] != expected[index] {
            return false
        }
        return true
    }

    /// ASCII case-insensitive comparison with a lowercase literal, for field names and tokens.
    @inline(__always)
    static func bytes(_ buffer: UnsafeRawBufferPointer, _ range: Range<Int>, equalLowercase literal: StaticString) -> Bool {
        guard range.count == literal.utf8CodeUnitCount else { return false }
        return hasPrefix(buffer, range, lowercase: literal)
    }

    /// Whether `range` starts with the lowercase literal, ignoring ASCII case.
    @inline(__always)
    static func hasPrefix(_ buffer: UnsafeRawBufferPointer, _ range: Range<Int>, lowercase literal: StaticString) -> Bool {
        guard range.count >= literal.utf8CodeUnitCount else { return false }
        let expected = literal.utf8Start
        for index in 0..<literal.utf8CodeUnitCount where lowercased(buffer[range.lowerBound + index]) != expected[index] {
            return false
        }
        return true
    }
}
