/// Splits a stdio server's output into newline-delimited messages, each at most `limit`
/// bytes. A longer line is skipped rather than buffered (the server stays usable); its first
/// bytes are kept so that the request it answers can still be failed (`JSONRPCIDScanner`).
struct MessageLineFramer: Sendable {
    enum Piece: Equatable, Sendable {
        case line([UInt8])
        /// A line over the limit: the id found at its start, if any.
        case oversized(JSONRPCID?)
    }

    let limit: Int
    private var buffer: [UInt8] = []
    /// Skipping the rest of an oversized line; what it began with.
    private var skippedPrefix: [UInt8]?

    static let prefixBytes = 4096

    init(limit: Int) {
        self.limit = limit
    }

    mutating func feed(_ bytes: [UInt8]) -> [Piece] {
        var pieces: [Piece] = []
        var start = bytes.startIndex
        while start < bytes.endIndex {
            let newline = bytes[start...].firstIndex(of: UInt8(ascii: "\n"))
            let chunk = bytes[start..<(newline ?? bytes.endIndex)]
            if skippedPrefix != nil {
                if newline != nil {
                    pieces.append(.oversized(JSONRPCIDScanner.topLevelID(skippedPrefix ?? [])))
                    skippedPrefix = nil
                }
            } else if buffer.count + chunk.count > limit {
                buffer += chunk.prefix(max(0, Self.prefixBytes - buffer.count))
                if newline != nil {
                    pieces.append(.oversized(JSONRPCIDScanner.topLevelID(buffer)))
                } else {
                    skippedPrefix = Array(buffer.prefix(Self.prefixBytes))
                }
                buffer = []
            } else {
                buffer += chunk
                if newline != nil {
                    if buffer.last == UInt8(ascii: "\r") { buffer.removeLast() }
                    if !buffer.isEmpty { pieces.append(.line(buffer)) }
                    buffer = []
                }
            }
            guard let newline else { break }
            start = newline + 1
        }
        return pieces
    }
}
