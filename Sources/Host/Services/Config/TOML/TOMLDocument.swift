import PatternText

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
        return isBare ? key : JSONString.quoted(key)
    }
}
