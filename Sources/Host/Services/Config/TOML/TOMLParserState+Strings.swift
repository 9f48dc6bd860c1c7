// Strings: basic, literal, their multi-line forms, and escapes.
extension TOMLParserState {
    mutating func parseBasicString() throws(TOMLError) -> String {
        position += 1  // "
        var out: [UInt8] = []
        while true {
            guard let byte = peek, byte != UInt8(ascii: "\n"), byte != UInt8(ascii: "\r") else {
                throw fail("unterminated string (a basic string ends on its line; use \"\"\" for several lines)")
            }
            switch byte {
            case UInt8(ascii: "\""):
                position += 1
                return String(decoding: out, as: UTF8.self)
            case UInt8(ascii: "\\"):
                try parseEscape(into: &out)
            default:
                if Self.isControl(byte) { throw fail("control character \(Self.hex(UInt32(byte))) must be escaped in a string") }
                out.append(byte)
                position += 1
            }
        }
    }

    mutating func parseMultilineBasicString() throws(TOMLError) -> String {
        let startLine = line
        position += 3
        _ = try consumeNewline()
        var out: [UInt8] = []
        while true {
            guard let byte = peek else { throw fail("unterminated multi-line string (opened on line \(startLine))") }
            switch byte {
            case UInt8(ascii: "\""):
                if try closeMultiline(quote: byte, into: &out) { return String(decoding: out, as: UTF8.self) }
            case UInt8(ascii: "\\"):
                // A backslash ending a line trims it and all whitespace up to the next non-blank.
                var next = position + 1
                while next < bytes.count, bytes[next] == UInt8(ascii: " ") || bytes[next] == UInt8(ascii: "\t") { next += 1 }
                if next < bytes.count, bytes[next] == UInt8(ascii: "\n") || bytes[next] == UInt8(ascii: "\r") {
                    position = next
                    while true {
                        skipWhitespace()
                        if try !consumeNewline() { break }
                    }
                } else {
                    try parseEscape(into: &out)
                }
            case UInt8(ascii: "\n"), UInt8(ascii: "\r"):
                _ = try consumeNewline()
                out.append(UInt8(ascii: "\n"))
            default:
                if Self.isControl(byte) { throw fail("control character \(Self.hex(UInt32(byte))) must be escaped in a string") }
                out.append(byte)
                position += 1
            }
        }
    }

    mutating func parseLiteralString() throws(TOMLError) -> String {
        position += 1  // '
        let start = position
        while true {
            guard let byte = peek, byte != UInt8(ascii: "\n"), byte != UInt8(ascii: "\r") else {
                throw fail("unterminated literal string (a literal string ends on its line; use ''' for several lines)")
            }
            if byte == UInt8(ascii: "'") {
                let text = String(decoding: bytes[start..<position], as: UTF8.self)
                position += 1
                return text
            }
            if Self.isControl(byte) { throw fail("control character \(Self.hex(UInt32(byte))) is not allowed in a literal string") }
            position += 1
        }
    }

    mutating func parseMultilineLiteralString() throws(TOMLError) -> String {
        let startLine = line
        position += 3
        _ = try consumeNewline()
        var out: [UInt8] = []
        while true {
            guard let byte = peek else { throw fail("unterminated multi-line literal string (opened on line \(startLine))") }
            switch byte {
            case UInt8(ascii: "'"):
                if try closeMultiline(quote: byte, into: &out) { return String(decoding: out, as: UTF8.self) }
            case UInt8(ascii: "\n"), UInt8(ascii: "\r"):
                _ = try consumeNewline()
                out.append(UInt8(ascii: "\n"))
            default:
                if Self.isControl(byte) { throw fail("control character \(Self.hex(UInt32(byte))) is not allowed in a literal string") }
                out.append(byte)
                position += 1
            }
        }
    }

    /// At a quote inside a multi-line string: one or two quotes are content; three close the
    /// string, and up to two more right before them are content (`""""` ends with a `"`).
    mutating func closeMultiline(quote: UInt8, into out: inout [UInt8]) throws(TOMLError) -> Bool {
        var count = 0
        while peek == quote {
            count += 1
            position += 1
        }
        if count < 3 {
            out.append(contentsOf: repeatElement(quote, count: count))
            return false
        }
        if count > 5 { throw fail("too many quotes at the end of a multi-line string") }
        out.append(contentsOf: repeatElement(quote, count: count - 3))
        return true
    }

    mutating func parseEscape(into out: inout [UInt8]) throws(TOMLError) {
        position += 1  // backslash
        guard let byte = peek else { throw fail("unterminated string") }
        position += 1
        switch byte {
        case UInt8(ascii: "b"): out.append(0x08)
        case UInt8(ascii: "t"): out.append(0x09)
        case UInt8(ascii: "n"): out.append(0x0A)
        case UInt8(ascii: "f"): out.append(0x0C)
        case UInt8(ascii: "r"): out.append(0x0D)
        case UInt8(ascii: "\""): out.append(UInt8(ascii: "\""))
        case UInt8(ascii: "\\"): out.append(UInt8(ascii: "\\"))
        case UInt8(ascii: "u"), UInt8(ascii: "U"):
            let length = byte == UInt8(ascii: "u") ? 4 : 8
            let escape = "\\" + String(Character(Unicode.Scalar(byte)))
            guard position + length <= bytes.count,
                let code = UInt32(String(decoding: bytes[position..<position + length], as: UTF8.self), radix: 16),
                bytes[position..<position + length].allSatisfy({ Character(Unicode.Scalar($0)).isHexDigit })
            else { throw fail("\(escape) must be followed by \(length) hexadecimal digits") }
            guard let scalar = Unicode.Scalar(code) else {
                throw fail("\(escape)\(String(decoding: bytes[position..<position + length], as: UTF8.self)) is not a Unicode scalar value")
            }
            position += length
            out.append(contentsOf: Array(String(Character(scalar)).utf8))
        default:
            position -= 1
            throw fail("invalid escape sequence \\\(describeNext().trimmingQuotes) in a string")
        }
    }
}

extension String {
    fileprivate var trimmingQuotes: String {
        hasPrefix("'") && hasSuffix("'") && count >= 2 ? String(dropFirst().dropLast()) : self
    }
}
