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

/// Finds the top-level `"id"` of a JSON-RPC message from its first bytes only, as SDKs write
/// `{"jsonrpc":"2.0","id":7,"result":…}`. Nil when the id is not among them.
enum JSONRPCIDScanner {
    static func topLevelID(_ bytes: [UInt8]) -> JSONRPCID? {
        var depth = 0
        var index = 0
        var expectKey = false
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                depth += 1
                expectKey = byte == UInt8(ascii: "{") && depth == 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth -= 1
            case UInt8(ascii: ","):
                expectKey = depth == 1
            case UInt8(ascii: "\""):
                guard let end = stringEnd(bytes, from: index) else { return nil }
                let isIDKey = expectKey && bytes[(index + 1)..<end].elementsEqual("id".utf8)
                expectKey = false
                index = end + 1
                if isIDKey { return value(bytes, after: index) }
                continue
            default:
                break
            }
            index += 1
        }
        return nil
    }

    /// The index of the quote closing the string that opens at `start`.
    private static func stringEnd(_ bytes: [UInt8], from start: Int) -> Int? {
        var index = start + 1
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "\\") {
                index += 2
                continue
            }
            if bytes[index] == UInt8(ascii: "\"") { return index }
            index += 1
        }
        return nil
    }

    /// The id after `"id"`: `: 12` or `: "abc"`.
    private static func value(_ bytes: [UInt8], after index: Int) -> JSONRPCID? {
        var start = index
        while start < bytes.count, bytes[start] == UInt8(ascii: " ") || bytes[start] == UInt8(ascii: ":") { start += 1 }
        guard start < bytes.count else { return nil }
        if bytes[start] == UInt8(ascii: "\"") {
            guard let end = stringEnd(bytes, from: start), !bytes[(start + 1)..<end].contains(UInt8(ascii: "\\"))
            else { return nil }
            return .string(String(decoding: bytes[(start + 1)..<end], as: UTF8.self))
        }
        var end = start
        while end < bytes.count, bytes[end] == UInt8(ascii: "-") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[end]) {
            end += 1
        }
        guard end < bytes.count else { return nil }  // the number may go on past the prefix
        return Int64(String(decoding: bytes[start..<end], as: UTF8.self)).map { .number($0) }
    }
}
