// Plugins get JSONValue and JSONText with `import PluginKit`, as before they moved to PatternText
// (shared with the host, which reads JSON bodies for C plugins).
@_exported import PatternText

extension JSONValue {
    /// Parses JSON text; nil when it is not JSON (or nests deeper than `[limits] max_json_depth`).
    public init?(parsing text: String) {
        self.init(parsing: Array(text.utf8))
    }

    public init?(parsing bytes: [UInt8]) {
        guard let value = JSONText.parse(bytes, maxDepth: JSONBody.maxDepth) else { return nil }
        self = value
    }
}
