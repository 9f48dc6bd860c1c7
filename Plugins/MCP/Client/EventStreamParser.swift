/// Reads a text/event-stream body as it arrives, as the HTML standard's parser does, keeping
/// only what MCP uses: each event's joined `data` lines. An event over `limit` bytes is
/// reported as `.oversized` instead of being buffered.
struct EventStreamParser: Sendable {
    enum Piece: Equatable, Sendable {
        case data([UInt8])
        case oversized
    }

    let limit: Int
    private var line: [UInt8] = []
    private var data: [UInt8] = []
    private var hasData = false
    private var overflowed = false
    private var lastWasCR = false

    init(limit: Int) {
        self.limit = limit
    }

    mutating func feed(_ bytes: [UInt8]) -> [Piece] {
        var pieces: [Piece] = []
        for byte in bytes {
            if lastWasCR {
                lastWasCR = false
                if byte == UInt8(ascii: "\n") { continue }
            }
            switch byte {
            case UInt8(ascii: "\r"):
                lastWasCR = true
                endLine(into: &pieces)
            case UInt8(ascii: "\n"):
                endLine(into: &pieces)
            default:
                if line.count + data.count <= limit {
                    line.append(byte)
                } else {
                    overflowed = true
                }
            }
        }
        return pieces
    }

    private mutating func endLine(into pieces: inout [Piece]) {
        defer { line = [] }
        guard !line.isEmpty else {
            if overflowed {
                pieces.append(.oversized)
            } else if hasData {
                pieces.append(.data(data))
            }
            data = []
            hasData = false
            overflowed = false
            return
        }
        guard !overflowed, line.starts(with: "data".utf8) else { return }
        var value = line.dropFirst(4)
        if value.first == UInt8(ascii: ":") {
            value = value.dropFirst()
            if value.first == UInt8(ascii: " ") { value = value.dropFirst() }
        } else if !value.isEmpty {
            return  // a field merely starting with "data"
        }
        if hasData { data.append(UInt8(ascii: "\n")) }
        data += value
        hasData = true
        if data.count > limit { overflowed = true }
    }
}
