/// The parser's position in the bytes, the tables built so far and the table being filled.
struct TOMLParserState {
    let bytes: [UInt8]
    var position = 0
    var line = 1
    let root = TableNode(.root)
    var lines: [String: Int] = [:]

    /// The table that key/value pairs go into, and its path.
    var current: TableNode
    var currentPath = ""
    /// Arrays and inline tables currently open (bounded, so hostile input cannot exhaust the stack).
    var depth = 0
    static let maxDepth = 128

    init(bytes: [UInt8]) {
        self.bytes = bytes
        current = root
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { position = 3 }
    }

    // MARK: Characters

    var peek: UInt8? { position < bytes.count ? bytes[position] : nil }

    func peek(at offset: Int) -> UInt8? {
        position + offset < bytes.count ? bytes[position + offset] : nil
    }

    func isNext(_ text: String) -> Bool {
        let utf8 = Array(text.utf8)
        return position + utf8.count <= bytes.count && bytes[position..<position + utf8.count].elementsEqual(utf8)
    }

    func fail(_ message: String, line: Int? = nil) -> TOMLError {
        TOMLError(line: line ?? self.line, message: message)
    }

    /// The next character as it appears in messages.
    func describeNext() -> String {
        guard let byte = peek else { return "end of file" }
        switch byte {
        case UInt8(ascii: "\n"), UInt8(ascii: "\r"): return "end of line"
        case 0x20..<0x7F: return "'\(Character(Unicode.Scalar(byte)))'"
        default:
            if byte < 0x20 || byte == 0x7F { return "control character \(Self.hex(UInt32(byte)))" }
            var end = position + 1
            while end < bytes.count, bytes[end] & 0xC0 == 0x80 { end += 1 }
            return "'\(String(decoding: bytes[position..<end], as: UTF8.self))'"
        }
    }

    static func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return "U+" + String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    static func isControl(_ byte: UInt8) -> Bool {
        (byte < 0x20 && byte != UInt8(ascii: "\t")) || byte == 0x7F
    }

    mutating func skipWhitespace() {
        while let byte = peek, byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") { position += 1 }
    }

    /// Consumes a newline (LF or CRLF) if one is next.
    mutating func consumeNewline() throws(TOMLError) -> Bool {
        if peek == UInt8(ascii: "\n") {
            position += 1
            line += 1
            return true
        }
        if peek == UInt8(ascii: "\r") {
            guard peek(at: 1) == UInt8(ascii: "\n") else { throw fail("carriage return must be followed by a newline") }
            position += 2
            line += 1
            return true
        }
        return false
    }

    /// Consumes `#` and the rest of the line, not the newline.
    mutating func skipComment() throws(TOMLError) {
        guard peek == UInt8(ascii: "#") else { return }
        position += 1
        while let byte = peek, byte != UInt8(ascii: "\n") {
            if byte == UInt8(ascii: "\r"), peek(at: 1) == UInt8(ascii: "\n") { return }
            if Self.isControl(byte) { throw fail("control character \(Self.hex(UInt32(byte))) is not allowed in a comment") }
            position += 1
        }
    }

    /// Whitespace, newlines and comments (inside arrays).
    mutating func skipWhitespaceCommentsAndNewlines() throws(TOMLError) {
        while true {
            skipWhitespace()
            if peek == UInt8(ascii: "#") {
                try skipComment()
            } else if try !consumeNewline() {
                return
            }
        }
    }

    /// After an expression: optional whitespace and comment, then a newline or the end of file.
    mutating func expectEndOfLine(after what: String) throws(TOMLError) {
        skipWhitespace()
        try skipComment()
        if peek == nil { return }
        if try consumeNewline() { return }
        throw fail("expected a newline after \(what), found \(describeNext())")
    }
}
