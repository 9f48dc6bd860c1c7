/// Splits a text/event-stream body into whole events, as the HTML standard's parser does:
/// CRLF, LF or CR line ends (also split across reads), `:` comments, `event`, `data` (lines
/// joined with LF), `id` (kept for later events, as a client's last event id) and `retry`.
/// Bytes may arrive split anywhere; an event is handed over only once its blank line came.
/// With a `maxEventBytes` bound, an event whose data passes it is refused as soon as that is
/// certain, so an oversized one is never held whole.
struct ServerSentEventReader {
    struct Event: Equatable, Sendable {
        /// Empty when the stream named none (a browser's "message").
        var name: [UInt8]
        var data: [UInt8]
        var id: [UInt8]
    }

    private var line: [UInt8] = []
    private var name: [UInt8] = []
    private var data: [UInt8] = []
    private var hasData = false
    private var lastEventID: [UInt8] = []
    private var afterCR = false
    private var atStart = true
    /// The reconnection time the stream asked for, in milliseconds.
    private(set) var retry: Int?
    /// 0: no bound.
    let maxEventBytes: Int

    /// An event's data passed `maxEventBytes`.
    struct TooLarge: Error, Equatable {}

    /// A line longer than the bound plus this cannot be a data line that fits ("data: " and
    /// the line feed joining it to earlier data are not data).
    private static let dataLineOverhead = 6

    init(maxEventBytes: Int = 0) {
        self.maxEventBytes = maxEventBytes
    }

    /// Reads `bytes`; returns the events they completed, in order. Throws when an event's data
    /// passes `maxEventBytes` (the reader is then done with).
    mutating func read(_ bytes: some Sequence<UInt8>) throws(TooLarge) -> [Event] {
        var events: [Event] = []
        for byte in bytes {
            if afterCR {
                afterCR = false
                if byte == HTTPSyntax.lf { continue }
            }
            switch byte {
            case HTTPSyntax.cr:
                afterCR = true
                try endLine(into: &events)
            case HTTPSyntax.lf:
                try endLine(into: &events)
            default:
                line.append(byte)
                if maxEventBytes > 0, line.count + data.count > maxEventBytes + Self.dataLineOverhead { throw TooLarge() }
            }
        }
        return events
    }

    private mutating func endLine(into events: inout [Event]) throws(TooLarge) {
        defer { line.removeAll(keepingCapacity: true) }
        if atStart {
            atStart = false
            if line.starts(with: [0xEF, 0xBB, 0xBF]) { line.removeFirst(3) }
        }
        if line.isEmpty {
            if hasData { events.append(Event(name: name, data: data, id: lastEventID)) }
            name.removeAll()
            data.removeAll()
            hasData = false
            return
        }
        if line.first == HTTPSyntax.colon { return }
        let colon = line.firstIndex(of: HTTPSyntax.colon) ?? line.endIndex
        let field = line[..<colon]
        var value = colon < line.endIndex ? line[(colon + 1)...] : []
        if value.first == HTTPSyntax.space { value = value.dropFirst() }
        switch String(decoding: field, as: UTF8.self) {
        case "event":
            name = Array(value)
        case "data":
            if hasData { data.append(HTTPSyntax.lf) }
            data += value
            hasData = true
            if maxEventBytes > 0, data.count > maxEventBytes { throw TooLarge() }
        case "id":
            if !value.contains(0) { lastEventID = Array(value) }
        case "retry":
            if !value.isEmpty, value.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), value.count <= 9 {
                retry = Int(String(decoding: value, as: UTF8.self))
            }
        default:
            break
        }
    }
}
