/// A configuration problem, naming where it came from and the key at fault:
/// `config.toml:12: server.port: expected an integer from 0 to 65535, got "abc"`,
/// `environment PORT: expected an integer from 0 to 65535, got "x"`,
/// `config.toml:3: unknown key "prot" in [server]`.
struct ConfigError: Error, CustomStringConvertible, Sendable, Equatable {
    enum Source: Sendable, Equatable {
        /// The config file; `line` is nil when the problem is the file itself (missing, unreadable).
        case file(path: String, line: Int?)
        /// An environment variable.
        case environment(variable: String)
    }

    var source: Source
    /// The dotted key at fault (`server.port`), when the problem is one key's value.
    var key: String?
    var message: String

    init(source: Source, key: String? = nil, message: String) {
        self.source = source
        self.key = key
        self.message = message
    }

    var description: String {
        var text: String
        switch source {
        case .file(let path, let line?): text = "\(path):\(line): "
        case .file(let path, nil): text = "\(path): "
        case .environment(let variable): text = "environment \(variable): "
        }
        if let key { text += "\(key): " }
        return text + message
    }
}
