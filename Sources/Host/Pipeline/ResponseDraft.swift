/// The response a request is building up as it passes the pipeline.
struct ResponseDraft {
    /// 0 until someone sets it.
    var status: Int = 0
    /// The headers as they go on the wire, `Name: value\r\n` each: plugins' headers are added
    /// from their bytes without building Strings, and the serializer writes them in one copy.
    private(set) var headerLines: [UInt8] = []
    var body: [UInt8] = []

    /// Room for the usual few headers (content type, rate limits, CORS …) in one allocation.
    init() { headerLines.reserveCapacity(256) }

    var isSet: Bool { status != 0 }

    mutating func addHeader(_ name: String, _ value: String) {
        headerLines += name.utf8
        headerLines += Self.separator
        headerLines += value.utf8
        headerLines += Self.lineEnd
    }

    /// Bytes a plugin handed over, already checked (token name, no control characters).
    mutating func addHeader(name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) {
        headerLines += name
        headerLines += Self.separator
        headerLines += value
        headerLines += Self.lineEnd
    }

    mutating func replace(status: Int, contentType: String, body: [UInt8]) {
        self.status = status
        removeHeaders(named: Self.contentType)
        addHeader("Content-Type", contentType)
        self.body = body
    }

    func hasHeader(named lowercaseName: [UInt8]) -> Bool {
        lines().contains { ASCII.equalsIgnoringCase(headerLines[$0.name], lowercase: lowercaseName) }
    }

    /// Drops every line whose name is `lowercaseName` in any case (the buffer is only rebuilt
    /// when there is one: usually there is none).
    mutating func removeHeaders(named lowercaseName: [UInt8]) {
        let all = lines()
        let kept = all.filter { !ASCII.equalsIgnoringCase(headerLines[$0.name], lowercase: lowercaseName) }
        guard kept.count != all.count else { return }
        var rebuilt: [UInt8] = []
        rebuilt.reserveCapacity(headerLines.count)
        for line in kept { rebuilt += headerLines[line.line] }
        headerLines = rebuilt
    }

    /// Each header line, and its name, as ranges of `headerLines`.
    private func lines() -> [(line: Range<Int>, name: Range<Int>)] {
        var found: [(line: Range<Int>, name: Range<Int>)] = []
        var start = 0
        while start < headerLines.count {
            let end = (headerLines[start...].firstIndex(of: UInt8(ascii: "\n")) ?? headerLines.count - 1) + 1
            let nameEnd = headerLines[start..<end].firstIndex(of: UInt8(ascii: ":")) ?? end
            found.append((line: start..<end, name: start..<nameEnd))
            start = end
        }
        return found
    }

    private static let separator = Array(": ".utf8)
    private static let lineEnd = Array("\r\n".utf8)
    static let contentType = Array("content-type".utf8)

    /// Header names the transport writes itself; plugins may not set them. Checked on the
    /// name's bytes, before any String is made of them.
    static func isReserved(_ name: UnsafeRawBufferPointer) -> Bool {
        reservedNames.contains { ASCII.equalsIgnoringCase(name, lowercase: $0) }
    }

    private static let reservedNames = [
        "content-length", "transfer-encoding", "connection", "date", "server", "keep-alive", "upgrade",
    ].map { Array($0.utf8) }
}

/// Case-insensitive comparison of ASCII names (header names are ASCII tokens): no Unicode
/// case mapping and no allocation, since it runs for every header a plugin adds.
enum ASCII {
    static func equalsIgnoringCase(_ bytes: some Collection<UInt8>, lowercase name: [UInt8]) -> Bool {
        bytes.count == name.count && zip(bytes, name).allSatisfy { lower($0) == $1 }
    }

    @inline(__always) static func lower(_ byte: UInt8) -> UInt8 {
        byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte
    }
}
