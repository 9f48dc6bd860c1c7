/// A parser for TOML 1.0.
enum TOMLParser {
    static func parse(_ text: String) throws(TOMLError) -> TOMLDocument {
        var parser = TOMLParserState(bytes: Array(text.utf8))
        try parser.parseDocument()
        return TOMLDocument(root: parser.root.table(), lines: parser.lines)
    }
}
