// Keys: bare, quoted and dotted.
extension TOMLParserState {
    /// A key: simple keys joined by dots.
    mutating func parseKey() throws(TOMLError) -> [String] {
        var keys: [String] = []
        while true {
            skipWhitespace()
            keys.append(try parseSimpleKey())
            skipWhitespace()
            guard peek == UInt8(ascii: ".") else { return keys }
            position += 1
        }
    }

    mutating func parseSimpleKey() throws(TOMLError) -> String {
        switch peek {
        case UInt8(ascii: "\""):
            if isNext("\"\"\"") { throw fail("a multi-line string cannot be a key") }
            return try parseBasicString()
        case UInt8(ascii: "'"):
            if isNext("'''") { throw fail("a multi-line string cannot be a key") }
            return try parseLiteralString()
        default:
            let start = position
            while let byte = peek, TOMLSyntax.isBareKeyByte(byte) { position += 1 }
            guard position > start else { throw fail("expected a key, found \(describeNext())") }
            return String(decoding: bytes[start..<position], as: UTF8.self)
        }
    }
}
