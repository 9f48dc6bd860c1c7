/// The response a request is building up as it passes the pipeline.
struct ResponseDraft {
    /// 0 until someone sets it.
    var status: Int = 0
    var headers: [(name: String, value: String)] = []
    var body: [UInt8] = []

    /// Room for the usual few headers (content type, rate limits, CORS …) in one allocation.
    init() { headers.reserveCapacity(6) }

    var isSet: Bool { status != 0 }

    mutating func replace(status: Int, contentType: String, body: [UInt8]) {
        self.status = status
        headers.removeAll { ASCII.equalsIgnoringCase($0.name, "content-type") }
        headers.append(("Content-Type", contentType))
        self.body = body
    }

    func header(_ name: String) -> String? {
        headers.first { ASCII.equalsIgnoringCase($0.name, name) }?.value
    }

    /// Header names the transport writes itself; plugins may not set them. Checked on the
    /// name's bytes, before any String is made of them.
    static func isReserved(_ name: UnsafeRawBufferPointer) -> Bool {
        reservedNames.contains { $0.count == name.count && zip($0, name).allSatisfy { $0 == ASCII.lower($1) } }
    }

    private static let reservedNames = [
        "content-length", "transfer-encoding", "connection", "date", "server", "keep-alive", "upgrade",
    ].map { Array($0.utf8) }
}

/// Case-insensitive comparison of ASCII names (header names are ASCII tokens): no Unicode
/// case mapping and no allocation, since it runs for every header a plugin adds.
enum ASCII {
    static func equalsIgnoringCase(_ a: String, _ b: String) -> Bool {
        a.utf8.count == b.utf8.count && zip(a.utf8, b.utf8).allSatisfy { lower($0) == lower($1) }
    }

    @inline(__always) static func lower(_ byte: UInt8) -> UInt8 {
        byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte
    }
}
