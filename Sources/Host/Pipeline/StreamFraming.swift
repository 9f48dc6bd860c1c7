/// The bytes of a streamed body: HTTP/1.1 chunks (RFC 9112 §7.1) and Server-Sent Events
/// (the WHATWG HTML "event stream" format).
enum StreamFraming {
    static let lastChunk = Array("0\r\n\r\n".utf8)
    static let ping = Array(": ping\n\n".utf8)

    static func appendChunk(_ bytes: some Collection<UInt8>, to out: inout [UInt8]) {
        out += String(bytes.count, radix: 16).utf8
        out += [13, 10]
        out += bytes
        out += [13, 10]
    }

    /// `event:`, one `data:` line per line of `data` (CRLF, LF or CR ends a line), `id:`,
    /// then the blank line that dispatches the event. Nil when `event` or `id` holds a line
    /// break (it would end the field early and forge another).
    static func event(name: some Collection<UInt8>, data: some Collection<UInt8>, id: some Collection<UInt8>)
        -> [UInt8]?
    {
        let breaks: (UInt8) -> Bool = { $0 == 10 || $0 == 13 }
        guard !name.contains(where: breaks), !id.contains(where: breaks) else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(data.count + name.count + id.count + 24)
        if !name.isEmpty { field("event", name, to: &out) }
        var line: [UInt8] = []
        var previous: UInt8 = 0
        for byte in data {
            if byte == 10 && previous == 13 {
                previous = byte
                continue  // the LF of a CRLF
            }
            previous = byte
            if breaks(byte) {
                field("data", line, to: &out)
                line.removeAll(keepingCapacity: true)
            } else {
                line.append(byte)
            }
        }
        field("data", line, to: &out)
        if !id.isEmpty { field("id", id, to: &out) }
        out.append(10)
        return out
    }

    private static func field(_ name: String, _ value: some Collection<UInt8>, to out: inout [UInt8]) {
        out += name.utf8
        out += ": ".utf8
        out += value
        out.append(10)
    }
}
