// Values: arrays, inline tables, and the dispatch to strings, numbers and dates.
extension TOMLParserState {
    mutating func parseValue(path: String?) throws(TOMLError) -> TOMLValue {
        guard let byte = peek else { throw fail("expected a value, found end of file") }
        switch byte {
        case UInt8(ascii: "\""):
            return .string(isNext("\"\"\"") ? try parseMultilineBasicString() : try parseBasicString())
        case UInt8(ascii: "'"):
            return .string(isNext("'''") ? try parseMultilineLiteralString() : try parseLiteralString())
        case UInt8(ascii: "["), UInt8(ascii: "{"):
            guard depth < Self.maxDepth else { throw fail("arrays and inline tables are nested more than \(Self.maxDepth) deep") }
            depth += 1
            defer { depth -= 1 }
            return byte == UInt8(ascii: "[") ? try parseArray() : try parseInlineTable(path: path)
        case UInt8(ascii: "t"), UInt8(ascii: "f"):
            for (word, value) in [("true", true), ("false", false)] where isNext(word) {
                let after = peek(at: word.utf8.count)
                if after == nil || !TOMLSyntax.isBareKeyByte(after!) {
                    position += word.utf8.count
                    return .boolean(value)
                }
            }
            throw fail("invalid value \(scanWord()) (strings must be quoted)")
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "+"), UInt8(ascii: "-"),
            UInt8(ascii: "i"), UInt8(ascii: "n"):
            return try parseNumberOrDate()
        default:
            if TOMLSyntax.isBareKeyByte(byte) { throw fail("invalid value \(scanWord()) (strings must be quoted)") }
            throw fail("expected a value, found \(describeNext())")
        }
    }

    /// The run of word characters at the cursor, quoted for a message.
    func scanWord() -> String {
        var end = position
        while end < bytes.count, TOMLSyntax.isBareKeyByte(bytes[end]) || bytes[end] == UInt8(ascii: ".") || bytes[end] >= 0x80 {
            end += 1
        }
        return "'\(String(decoding: bytes[position..<max(end, position + 1)], as: UTF8.self))'"
    }

    mutating func parseArray() throws(TOMLError) -> TOMLValue {
        let startLine = line
        position += 1  // [
        var values: [TOMLValue] = []
        while true {
            try skipWhitespaceCommentsAndNewlines()
            if peek == UInt8(ascii: "]") {
                position += 1
                return .array(values)
            }
            if peek == nil { throw fail("unterminated array (opened on line \(startLine))") }
            values.append(try parseValue(path: nil))
            try skipWhitespaceCommentsAndNewlines()
            switch peek {
            case UInt8(ascii: ","):
                position += 1
            case UInt8(ascii: "]"):
                position += 1
                return .array(values)
            case nil:
                throw fail("unterminated array (opened on line \(startLine))")
            default:
                throw fail("expected ',' or ']' in the array, found \(describeNext())")
            }
        }
    }

    mutating func parseInlineTable(path: String?) throws(TOMLError) -> TOMLValue {
        position += 1  // {
        // Keys of inline tables inside arrays have no single path: they are checked against a
        // scratch line map that is dropped afterwards.
        let savedLines: [String: Int]? = path == nil ? lines : nil
        if path == nil { lines = [:] }
        defer { if let savedLines { lines = savedLines } }
        let table = TableNode(.root)
        skipWhitespace()
        if peek == UInt8(ascii: "}") {
            position += 1
            return .table(table.table())
        }
        while true {
            skipWhitespace()
            if peek == UInt8(ascii: "\n") || peek == UInt8(ascii: "\r") {
                throw fail("an inline table must be on one line")
            }
            if peek == UInt8(ascii: "}") { throw fail("trailing comma is not allowed in an inline table") }
            try parseKeyValue(into: table, path: path ?? "")
            skipWhitespace()
            switch peek {
            case UInt8(ascii: ","):
                position += 1
            case UInt8(ascii: "}"):
                position += 1
                return .table(table.table())
            case UInt8(ascii: "\n"), UInt8(ascii: "\r"):
                throw fail("an inline table must be on one line")
            case nil:
                throw fail("unterminated inline table")
            default:
                throw fail("expected ',' or '}' in the inline table, found \(describeNext())")
            }
        }
    }
}
