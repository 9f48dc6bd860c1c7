/// A TOML syntax or structure error, at a 1-based line.
struct TOMLError: Error, Sendable, Equatable, CustomStringConvertible {
    var line: Int
    var message: String

    var description: String { "line \(line): \(message)" }
}

/// A parsed TOML file: its root table and the line each key and table was defined on.
struct TOMLDocument: Sendable {
    var root: TOMLTable
    /// Dotted key path (see `keyPath(_:)`) → 1-based line of its definition.
    private(set) var lines: [String: Int]

    init(root: TOMLTable, lines: [String: Int] = [:]) {
        self.root = root
        self.lines = lines
    }

    /// The line a key or table was defined on. Paths are dotted keys as `keyPath(_:)` writes
    /// them: `server.port`, `a."b c".d`; an element of an array of tables is `name[0]`, so a key
    /// in the second `[[plugins.hooks]]` is `plugins.hooks[1].name`.
    func line(of keyPath: String) -> Int? {
        lines[keyPath]
    }

    /// The dotted path of a sequence of keys: bare keys as they are, others quoted.
    static func keyPath(_ keys: some Sequence<String>) -> String {
        keys.map(formatKey).joined(separator: ".")
    }

    static func formatKey(_ key: String) -> String {
        let isBare = !key.isEmpty && key.utf8.allSatisfy(TOMLSyntax.isBareKeyByte)
        return isBare ? key : TOMLJSONText.quoted(key)
    }
}

/// A parser for TOML 1.0.
enum TOMLParser {
    static func parse(_ text: String) throws(TOMLError) -> TOMLDocument {
        var parser = TOMLParserState(bytes: Array(text.utf8))
        try parser.parseDocument()
        return TOMLDocument(root: parser.root.table(), lines: parser.lines)
    }
}

enum TOMLSyntax {
    static func isBareKeyByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"):
            true
        default:
            false
        }
    }
}

// MARK: - Tables under construction

/// A table while the file is being read, with how it came to exist (which decides what may
/// still be added to it).
private final class TableNode {
    enum Origin {
        /// The document root.
        case root
        /// Created as a parent of a `[header]` that named a deeper table; may still get its own header.
        case implicit
        /// Defined by its own `[header]`.
        case header
        /// Created by a dotted key (`a.b = 1` creates `a`).
        case dotted
        /// An element of an array of tables (`[[name]]`).
        case arrayElement
    }

    enum Entry {
        case value(TOMLValue)
        case table(TableNode)
        case tableArray(TableArrayNode)
    }

    var origin: Origin
    private var keys: [String] = []
    private var entries: [String: Entry] = [:]

    init(_ origin: Origin) { self.origin = origin }

    subscript(key: String) -> Entry? {
        get { entries[key] }
        set {
            if entries.updateValue(newValue!, forKey: key) == nil { keys.append(key) }
        }
    }

    func table() -> TOMLTable {
        var table = TOMLTable()
        for key in keys {
            switch entries[key]! {
            case .value(let value): table[key] = value
            case .table(let node): table[key] = .table(node.table())
            case .tableArray(let array): table[key] = .array(array.elements.map { .table($0.table()) })
            }
        }
        return table
    }
}

private final class TableArrayNode {
    var elements: [TableNode]
    init(_ first: TableNode) { elements = [first] }
}

// MARK: - Parser

private struct TOMLParserState {
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

    // MARK: Document

    mutating func parseDocument() throws(TOMLError) {
        while true {
            skipWhitespace()
            guard let byte = peek else { return }
            switch byte {
            case UInt8(ascii: "#"):
                try skipComment()
                try expectEndOfLine(after: "a comment")
            case UInt8(ascii: "\n"), UInt8(ascii: "\r"):
                _ = try consumeNewline()
            case UInt8(ascii: "["):
                if peek(at: 1) == UInt8(ascii: "[") {
                    try parseArrayTableHeader()
                    try expectEndOfLine(after: "the array of tables header")
                } else {
                    try parseTableHeader()
                    try expectEndOfLine(after: "the table header")
                }
            default:
                try parseKeyValue(into: current, path: currentPath)
                try expectEndOfLine(after: "the value")
            }
        }
    }

    static func join(_ path: String, _ key: String) -> String {
        path.isEmpty ? TOMLDocument.formatKey(key) : path + "." + TOMLDocument.formatKey(key)
    }

    static func display(_ keys: ArraySlice<String>) -> String {
        TOMLDocument.keyPath(keys)
    }

    /// What an existing value is, for messages about redefinition.
    static func kind(of value: TOMLValue) -> String {
        value.tableValue != nil ? "an inline table, which cannot be extended" : value.typeNameWithArticle
    }

    mutating func record(_ path: String, line: Int) {
        if lines[path] == nil { lines[path] = line }
    }

    /// Walks the parents named by a header, creating missing ones.
    mutating func headerParent(_ keys: [String], headerLine: Int) throws(TOMLError) -> (TableNode, String) {
        var node = root
        var path = ""
        for (index, key) in keys.dropLast().enumerated() {
            path = Self.join(path, key)
            switch node[key] {
            case nil:
                let child = TableNode(.implicit)
                node[key] = .table(child)
                record(path, line: headerLine)
                node = child
            case .table(let child):
                node = child
            case .tableArray(let array):
                path += "[\(array.elements.count - 1)]"
                node = array.elements[array.elements.count - 1]
            case .value(let value):
                let prefix = Self.display(keys[...index])
                throw fail("cannot define [\(TOMLDocument.keyPath(keys))]: \(prefix) is already \(Self.kind(of: value)) (line \(lines[path] ?? headerLine))")
            }
        }
        return (node, path)
    }

    mutating func parseTableHeader() throws(TOMLError) {
        let headerLine = line
        position += 1  // [
        skipWhitespace()
        let keys = try parseKey()
        skipWhitespace()
        guard peek == UInt8(ascii: "]") else { throw fail("expected ']' to close the table header, found \(describeNext())") }
        position += 1

        let name = TOMLDocument.keyPath(keys)
        let (parent, parentPath) = try headerParent(keys, headerLine: headerLine)
        let key = keys[keys.count - 1]
        let path = Self.join(parentPath, key)
        let table: TableNode
        switch parent[key] {
        case nil:
            table = TableNode(.header)
            parent[key] = .table(table)
        case .table(let existing):
            switch existing.origin {
            case .implicit:
                existing.origin = .header
                table = existing
            case .dotted:
                throw fail("table [\(name)] was already defined by dotted keys on line \(lines[path] ?? headerLine)")
            case .header, .arrayElement, .root:
                throw fail("table [\(name)] is defined twice (first on line \(lines[path] ?? headerLine))")
            }
        case .tableArray:
            throw fail("cannot define table [\(name)]: it is already an array of tables ([[\(name)]])")
        case .value(let value):
            throw fail("cannot define table [\(name)]: \(name) is already \(Self.kind(of: value)) (line \(lines[path] ?? headerLine))")
        }
        lines[path] = headerLine
        current = table
        currentPath = path
    }

    mutating func parseArrayTableHeader() throws(TOMLError) {
        let headerLine = line
        position += 2  // [[
        skipWhitespace()
        let keys = try parseKey()
        skipWhitespace()
        guard peek == UInt8(ascii: "]"), peek(at: 1) == UInt8(ascii: "]") else {
            throw fail("expected ']]' to close the array of tables header, found \(describeNext())")
        }
        position += 2

        let name = TOMLDocument.keyPath(keys)
        let (parent, parentPath) = try headerParent(keys, headerLine: headerLine)
        let key = keys[keys.count - 1]
        let path = Self.join(parentPath, key)
        let element = TableNode(.arrayElement)
        switch parent[key] {
        case nil:
            parent[key] = .tableArray(TableArrayNode(element))
        case .tableArray(let array):
            array.elements.append(element)
        case .table:
            throw fail("cannot define array of tables [[\(name)]]: \(name) is already a table (line \(lines[path] ?? headerLine))")
        case .value(let value):
            throw fail("cannot define array of tables [[\(name)]]: \(name) is already \(Self.kind(of: value)) (line \(lines[path] ?? headerLine))")
        }
        guard case .tableArray(let array) = parent[key] else { preconditionFailure() }
        record(path, line: headerLine)
        let elementPath = path + "[\(array.elements.count - 1)]"
        lines[elementPath] = headerLine
        current = element
        currentPath = elementPath
    }

    /// `key = value` into `table` (whose path is `path`), with dotted keys creating tables.
    mutating func parseKeyValue(into table: TableNode, path: String) throws(TOMLError) {
        let keyLine = line
        let keys = try parseKey()
        skipWhitespace()
        guard peek == UInt8(ascii: "=") else {
            throw fail("expected '=' after the key \(TOMLDocument.keyPath(keys)), found \(describeNext())")
        }
        position += 1
        skipWhitespace()

        var node = table
        var nodePath = path
        for (index, key) in keys.dropLast().enumerated() {
            nodePath = Self.join(nodePath, key)
            switch node[key] {
            case nil:
                let child = TableNode(.dotted)
                node[key] = .table(child)
                lines[nodePath] = keyLine
                node = child
            case .table(let child):
                switch child.origin {
                case .dotted:
                    node = child
                case .implicit:
                    child.origin = .dotted
                    node = child
                case .header, .arrayElement, .root:
                    throw fail("cannot add \(TOMLDocument.keyPath(keys)) with a dotted key: table [\(nodePath)] is already defined on line \(lines[nodePath] ?? keyLine)")
                }
            case .tableArray:
                throw fail("cannot add \(TOMLDocument.keyPath(keys)) with a dotted key: \(Self.display(keys[...index])) is an array of tables")
            case .value(let value):
                throw fail("cannot add \(TOMLDocument.keyPath(keys)): \(Self.display(keys[...index])) is already \(Self.kind(of: value)) (line \(lines[nodePath] ?? keyLine))")
            }
        }
        let key = keys[keys.count - 1]
        let valuePath = Self.join(nodePath, key)
        if node[key] != nil {
            throw fail("key \(TOMLDocument.keyPath(keys)) is defined twice (first on line \(lines[valuePath] ?? keyLine))")
        }
        lines[valuePath] = keyLine
        let value = try parseValue(path: valuePath)
        node[key] = .value(value)
    }

    // MARK: Keys

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

    // MARK: Values

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

    // MARK: Strings

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

    // MARK: Numbers and dates

    mutating func parseNumberOrDate() throws(TOMLError) -> TOMLValue {
        let start = position
        func isTokenByte(_ byte: UInt8) -> Bool {
            TOMLSyntax.isBareKeyByte(byte) || byte == UInt8(ascii: "+") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: ":")
        }
        while let byte = peek, isTokenByte(byte) { position += 1 }
        // A date and a time may be separated by one space: 1979-05-27 07:32:00Z.
        if position - start == 10, bytes[start + 4] == UInt8(ascii: "-"), peek == UInt8(ascii: " "),
            let a = peek(at: 1), let b = peek(at: 2), peek(at: 3) == UInt8(ascii: ":"),
            (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(a), (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b)
        {
            position += 1
            while let byte = peek, isTokenByte(byte) { position += 1 }
        }
        let token = String(decoding: bytes[start..<position], as: UTF8.self)
        if let value = TOMLScalars.value(of: token) { return value }
        if let message = TOMLScalars.problem(with: token) { throw fail(message) }
        throw fail("invalid value '\(token)'")
    }
}

extension String {
    fileprivate var trimmingQuotes: String {
        hasPrefix("'") && hasSuffix("'") && count >= 2 ? String(dropFirst().dropLast()) : self
    }
}

// MARK: - Scalars

/// Numbers, booleans and date-times from their TOML text.
enum TOMLScalars {
    static func value(of token: String) -> TOMLValue? {
        switch token {
        case "inf", "+inf": return .float(.infinity)
        case "-inf": return .float(-.infinity)
        case "nan", "+nan", "-nan": return .float(.nan)
        default: break
        }
        let bytes = Array(token.utf8)
        if isDateTime(bytes) { return .dateTime(token) }
        if let integer = integer(bytes) { return .integer(integer) }
        if let float = float(bytes) { return .float(float) }
        return nil
    }

    /// Why a number-like token is invalid, when a specific reason is known.
    static func problem(with token: String) -> String? {
        let bytes = Array(token.utf8)
        var body = bytes[...]
        if let first = body.first, first == UInt8(ascii: "+") || first == UInt8(ascii: "-") { body = body.dropFirst() }
        if body.count > 1, body.first == UInt8(ascii: "0"), let second = body.dropFirst().first {
            if second == UInt8(ascii: "x") || second == UInt8(ascii: "o") || second == UInt8(ascii: "b") {
                if body.count != bytes.count { return "invalid integer '\(token)': a hexadecimal, octal or binary integer cannot have a sign" }
                if wellFormedPrefixed(body) { return "integer '\(token)' does not fit in 64 bits" }
                return "invalid integer '\(token)'"
            }
            if isDigit(second) || second == UInt8(ascii: "_") { return "invalid number '\(token)': leading zeros are not allowed" }
        }
        if isDecimalInteger(bytes[...]) { return "integer '\(token)' does not fit in 64 bits" }
        if token.contains("__") || token.hasSuffix("_") || token.contains("_.") || token.contains("._") {
            return "invalid number '\(token)': an underscore must be between two digits"
        }
        if isFloatSyntax(bytes[...]) { return "float '\(token)' is out of range" }
        if bytes.count >= 5, bytes[4] == UInt8(ascii: "-") || bytes[2] == UInt8(ascii: ":") {
            return "invalid date-time '\(token)'"
        }
        return nil
    }

    static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    static func isHexDigit(_ byte: UInt8) -> Bool {
        isDigit(byte) || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "f")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "F"))
    }

    /// Digits with single underscores between them.
    static func isDigitRun(_ bytes: ArraySlice<UInt8>, digit: (UInt8) -> Bool = isDigit) -> Bool {
        guard let first = bytes.first, let last = bytes.last, digit(first), digit(last) else { return false }
        var previousUnderscore = false
        for byte in bytes {
            if byte == UInt8(ascii: "_") {
                if previousUnderscore { return false }
                previousUnderscore = true
            } else if digit(byte) {
                previousUnderscore = false
            } else {
                return false
            }
        }
        return true
    }

    static func withoutUnderscores(_ bytes: ArraySlice<UInt8>) -> String {
        String(decoding: bytes.filter { $0 != UInt8(ascii: "_") }, as: UTF8.self)
    }

    /// An unprefixed decimal integer, signed or not, without leading zeros.
    static func isDecimalInteger(_ bytes: ArraySlice<UInt8>) -> Bool {
        var body = bytes
        if let first = body.first, first == UInt8(ascii: "+") || first == UInt8(ascii: "-") { body = body.dropFirst() }
        guard isDigitRun(body) else { return false }
        return body.count == 1 || body.first != UInt8(ascii: "0")
    }

    static func wellFormedPrefixed(_ bytes: ArraySlice<UInt8>) -> Bool {
        guard bytes.count > 2 else { return false }
        let digits = bytes.dropFirst(2)
        switch bytes[bytes.startIndex + 1] {
        case UInt8(ascii: "x"): return isDigitRun(digits, digit: isHexDigit)
        case UInt8(ascii: "o"): return isDigitRun(digits) { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "7") }
        case UInt8(ascii: "b"): return isDigitRun(digits) { $0 == UInt8(ascii: "0") || $0 == UInt8(ascii: "1") }
        default: return false
        }
    }

    static func integer(_ bytes: [UInt8]) -> Int64? {
        if bytes.count > 2, bytes[0] == UInt8(ascii: "0"),
            bytes[1] == UInt8(ascii: "x") || bytes[1] == UInt8(ascii: "o") || bytes[1] == UInt8(ascii: "b")
        {
            guard wellFormedPrefixed(bytes[...]) else { return nil }
            let radix = bytes[1] == UInt8(ascii: "x") ? 16 : bytes[1] == UInt8(ascii: "o") ? 8 : 2
            return Int64(withoutUnderscores(bytes.dropFirst(2)), radix: radix)
        }
        guard isDecimalInteger(bytes[...]) else { return nil }
        return Int64(withoutUnderscores(bytes[...]))
    }

    /// `[sign] int ( frac [exp] | exp )` where int has no leading zeros.
    static func isFloatSyntax(_ bytes: ArraySlice<UInt8>) -> Bool {
        var body = bytes
        if let first = body.first, first == UInt8(ascii: "+") || first == UInt8(ascii: "-") { body = body.dropFirst() }
        let exponentIndex = body.firstIndex { $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") }
        let mantissa = exponentIndex.map { body[..<$0] } ?? body
        let dotIndex = mantissa.firstIndex(of: UInt8(ascii: "."))
        let integerPart = dotIndex.map { mantissa[..<$0] } ?? mantissa
        guard isDigitRun(integerPart), integerPart.count == 1 || integerPart.first != UInt8(ascii: "0") else { return false }
        if let dotIndex, !isDigitRun(mantissa[(dotIndex + 1)...]) { return false }
        if let exponentIndex {
            var exponent = body[(exponentIndex + 1)...]
            if let first = exponent.first, first == UInt8(ascii: "+") || first == UInt8(ascii: "-") { exponent = exponent.dropFirst() }
            if !isDigitRun(exponent) { return false }
        }
        return dotIndex != nil || exponentIndex != nil
    }

    static func float(_ bytes: [UInt8]) -> Double? {
        guard isFloatSyntax(bytes[...]), let value = Double(withoutUnderscores(bytes[...])), value.isFinite else { return nil }
        return value
    }

    // MARK: Date-times (RFC 3339 as TOML allows it)

    static func isDateTime(_ bytes: [UInt8]) -> Bool {
        var index = 0
        func number(_ length: Int) -> Int? {
            guard index + length <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[index..<index + length] {
                guard isDigit(byte) else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            index += length
            return value
        }
        func expect(_ character: Character) -> Bool {
            guard index < bytes.count, bytes[index] == character.asciiValue! else { return false }
            index += 1
            return true
        }
        func time() -> Bool {
            guard let hour = number(2), hour < 24, expect(":"), let minute = number(2), minute < 60, expect(":"),
                let second = number(2), second <= 60
            else { return false }
            if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
                index += 1
                let start = index
                while index < bytes.count, isDigit(bytes[index]) { index += 1 }
                if index == start { return false }
            }
            return true
        }

        if bytes.count > 2, bytes[2] == UInt8(ascii: ":") {
            return time() && index == bytes.count
        }
        guard let year = number(4), expect("-"), let month = number(2), (1...12).contains(month), expect("-"),
            let day = number(2), day >= 1
        else { return false }
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
        guard day <= days else { return false }
        if index == bytes.count { return true }
        guard bytes[index] == UInt8(ascii: "T") || bytes[index] == UInt8(ascii: "t") || bytes[index] == UInt8(ascii: " ") else {
            return false
        }
        index += 1
        guard time() else { return false }
        if index == bytes.count { return true }
        if bytes[index] == UInt8(ascii: "Z") || bytes[index] == UInt8(ascii: "z") { return index + 1 == bytes.count }
        guard bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") else { return false }
        index += 1
        guard let offsetHour = number(2), offsetHour < 24, expect(":"), let offsetMinute = number(2), offsetMinute < 60 else {
            return false
        }
        return index == bytes.count
    }
}
