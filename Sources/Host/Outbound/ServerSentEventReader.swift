/// Splits a text/event-stream body into whole events, as the HTML standard's parser does:
/// CRLF, LF or CR line ends (also split across reads), `:` comments, `event`, `data` (lines
/// joined with LF), `id` (kept for later events, as a client's last event id) and `retry`.
/// Bytes may arrive split anywhere; an event is handed over only once its blank line came.
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

    /// Reads `bytes`; returns the events they completed, in order.
    mutating func read(_ bytes: some Sequence<UInt8>) -> [Event] {
        var events: [Event] = []
        for byte in bytes {
            if afterCR {
                afterCR = false
                if byte == HTTPSyntax.lf { continue }
            }
            switch byte {
            case HTTPSyntax.cr:
                afterCR = true
                endLine(into: &events)
            case HTTPSyntax.lf:
                endLine(into: &events)
            default:
                line.append(byte)
            }
        }
        return events
    }

    private mutating func endLine(into events: inout [Event]) {
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
