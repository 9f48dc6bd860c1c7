/// The response a request is building up as it passes the pipeline.
struct ResponseDraft {
    /// 0 until someone sets it.
    var status: Int = 0
    var headers: [(name: String, value: String)] = []
    var body: [UInt8] = []

    var isSet: Bool { status != 0 }

    mutating func replace(status: Int, contentType: String, body: [UInt8]) {
        self.status = status
        headers.removeAll { $0.name.lowercased() == "content-type" }
        headers.append(("Content-Type", contentType))
        self.body = body
    }

    func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    /// Header names the transport writes itself; plugins may not set them.
    static func isReserved(_ lowercasedName: String) -> Bool {
        switch lowercasedName {
        case "content-length", "transfer-encoding", "connection", "date", "server", "keep-alive", "upgrade":
            true
        default:
            false
        }
    }
}
