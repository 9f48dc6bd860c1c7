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
