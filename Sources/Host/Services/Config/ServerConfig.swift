import Foundation
import PatternText

/// The host's configuration: defaults, then the TOML file, then environment overrides, each
/// value checked by the same rules wherever it came from.
///
/// The host's own sections are `[server]`, `[database]`, `[plugins]`, `[cors]`, `[limits]`,
/// `[outbound]` and `[log]`; an unknown key in them is an error. Every other top-level table is
/// a plugin's section (`[auth]` is the auth plugin's), kept as written and handed to that plugin
/// alone as JSON (`pluginSection(_:)`): the plugin checks it and applies its own environment
/// overrides.
struct ServerConfig: Sendable, Equatable {
    struct Server: Sendable, Equatable {
        var host = "127.0.0.1"
        /// 0 means any free port.
        var port = 3000
        var eventLoops = max(1, ProcessInfo.processInfo.activeProcessorCount)
        /// Threads that run (possibly blocking) handlers.
        var workers = 16
        var dataDir = "./data"
    }

    struct Database: Sendable, Equatable {
        /// As configured: "" (the default file under the data directory), `sqlite://PATH`,
        /// `sqlite:PATH` or a plain path. `ServerConfig.databasePath` is the file it names.
        var url = ""
        var readers = 4
        var busyTimeoutMs = 5000
    }

    struct Plugins: Sendable, Equatable {
        /// nil: the directory beside the executable.
        var dir: String?
        /// More folders whose every `*.so` is loaded too (third-party plugins beside the default set).
        var extraDirs: [String] = []
        /// nil: every plugin found.
        var enabled: [String]?
    }

    struct CORS: Sendable, Equatable {
        /// Exact origins (`https://app.example.com`) or `"*"`.
        var allowedOrigins: [String] = []
        var allowCredentials = false
        var maxAgeSeconds = 600
        var allowedHeaders = ["Authorization", "Content-Type", "X-Request-Id", "If-Match"]
        var allowedMethods = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
    }

    struct Limits: Sendable, Equatable {
        var maxBodyBytes = 1_048_576
        var maxHeaderBytes = 16_384
        var maxConnections = 10_000
        var headerTimeoutSeconds = 10
        /// A body must arrive whole within this long after its head (408 beyond), however it trickles.
        var bodyTimeoutSeconds = 30
        /// A deferred response not finished within this long is answered 504 (a long model turn fits).
        var pendingTimeoutSeconds = 600
        /// Unsent bytes a streamed response's client may fall behind by.
        var streamQueueBytes = 1_048_576
        var idleTimeoutSeconds = 60
        /// Connections one client address may hold open (accepted and closed at once beyond).
        var maxConnectionsPerIP = 256
        /// Addresses the per-address cap spares (the deployment's own reverse proxy).
        var connectionCapExempt: [String] = []
        var shutdownGraceSeconds = 10
        var maxJSONDepth = 64
        /// Largest WebSocket message (close 1009 beyond).
        var webSocketMaxMessageBytes = 1_048_576
        /// Unsent bytes a WebSocket peer may fall behind before it is closed with 1008.
        var webSocketSendQueueBytes = 1_048_576
        /// Idle time before the server pings; a peer silent for another interval is dropped.
        var webSocketPingIntervalSeconds = 30
        /// Child processes plugins may have running at once (PATTERN_BUSY beyond).
        var maxProcesses = 64
    }

    /// The outbound HTTP client plugins use (model providers, MCP servers).
    struct Outbound: Sendable, Equatable {
        /// Lets requests reach loopback, private, link-local, CGNAT and unique-local addresses.
        var allowPrivateNetworks = false
        /// CIDR ranges reachable even when internal ("127.0.0.1/32" for a local model server).
        var allow: [String] = []
        /// Refuses every outbound connection (fuzzing runs).
        var denyAll = false
        /// PEM certificates trusted besides the system store (a private CA).
        var caFile: String?
        var maxConnectionsPerOrigin = 1024
    }

    struct Log: Sendable, Equatable {
        enum Level: String, CaseIterable, Sendable, Comparable {
            case debug, info, warn, error

            static func < (lhs: Level, rhs: Level) -> Bool {
                allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
            }
        }

        enum Format: String, CaseIterable, Sendable {
            case logfmt, json
        }

        var level = Level.info
        var format = Format.logfmt
    }

    var server = Server()
    var database = Database()
    var plugins = Plugins()
    var cors = CORS()
    var limits = Limits()
    var outbound = Outbound()
    var log = Log()
    /// The config file that was read, if any.
    var file: String?
    /// Plugin sections as written.
    private var sections = TOMLTable()

    /// The defaults: what the server runs with when there is no file and no environment.
    init() {}

    static let hostSections = ["server", "database", "plugins", "cors", "limits", "outbound", "log"]

    /// The SQLite file `database.url` names (the default: `<data_dir>/pattern.db`).
    var databasePath: String {
        if database.url.isEmpty {
            return server.dataDir.hasSuffix("/") ? server.dataDir + "pattern.db" : server.dataDir + "/pattern.db"
        }
        return Self.sqlitePath(of: database.url) ?? database.url
    }

    /// The JSON object text of plugin section `[name]` as written (`{}` when absent), for that
    /// plugin only.
    func pluginSection(_ name: String) -> String {
        sections[name]?.tableValue?.json ?? "{}"
    }

    /// The JSON text of a host setting's effective value by dotted key (`server.port` → `3000`),
    /// or of a whole host section (`cors`); nil when there is no such value. Plugin sections are
    /// not settings: what one plugin is configured with (`auth.jwt_secret`) no other may read.
    func setting(_ dottedKey: String) -> String? {
        let keys = dottedKey.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard let first = keys.first, let table = hostSection(first) else { return nil }
        if keys.count == 1 { return table.json }
        return table.value(at: keys.dropFirst())?.json
    }

    private func hostSection(_ name: String) -> TOMLTable? {
        guard Self.hostSections.contains(name) else { return nil }
        var table = TOMLTable()
        for field in Self.fields where field.section == name {
            table[field.key] = field.render(self)
        }
        return table
    }
}

// MARK: - Loading

extension ServerConfig {
    /// Reads `file` (or the file `PATTERN_CONFIG` names when `file` is nil; with neither, no file)
    /// and applies the environment overrides. Empty environment variables count as unset.
    static func load(file: String?, environment: [String: String]) throws(ConfigError) -> ServerConfig {
        let environment = environment.filter { !$0.value.isEmpty }
        var config = ServerConfig()
        var document: TOMLDocument?
        if let path = file ?? environment["PATTERN_CONFIG"] {
            let source: ConfigError.Source = file != nil ? .file(path: path, line: nil) : .environment(variable: "PATTERN_CONFIG")
            let text = try readFile(path, source: source)
            do {
                document = try TOMLParser.parse(text)
            } catch {
                throw ConfigError(source: .file(path: path, line: error.line), message: error.message)
            }
            try config.apply(document!, path: path)
            config.file = path
        }
        try config.applyEnvironment(environment)
        try config.checkConsistency(document: document)
        return config
    }

    private static func readFile(_ path: String, source: ConfigError.Source) throws(ConfigError) -> String {
        func failure(_ problem: String) -> ConfigError {
            if case .environment = source {
                return ConfigError(source: source, message: "cannot read the config file \(JSONString.quoted(path)): \(problem)")
            }
            return ConfigError(source: source, message: "cannot read the config file: \(problem)")
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { throw failure("no such file") }
        if isDirectory.boolValue { throw failure("it is a directory") }
        guard let data = FileManager.default.contents(atPath: path) else { throw failure("permission denied or unreadable") }
        guard let text = String(data: data, encoding: .utf8) else { throw failure("it is not valid UTF-8") }
        return text
    }

    private mutating func apply(_ document: TOMLDocument, path: String) throws(ConfigError) {
        let fields = Self.fields
        for (name, value) in document.root.entries {
            let nameLine = document.line(of: TOMLDocument.keyPath([name]))
            guard case .table(let table) = value else {
                throw ConfigError(
                    source: .file(path: path, line: nameLine), key: TOMLDocument.keyPath([name]),
                    message: "expected a table (a [\(name)] section), got \(Self.describe(value))")
            }
            guard Self.hostSections.contains(name) else {
                sections[name] = value
                continue
            }
            for (key, value) in table.entries {
                let keyPath = TOMLDocument.keyPath([name, key])
                let source = ConfigError.Source.file(path: path, line: document.line(of: keyPath))
                guard let field = fields.first(where: { $0.section == name && $0.key == key }) else {
                    throw ConfigError(source: source, message: "unknown key \(JSONString.quoted(key)) in [\(name)]")
                }
                if let problem = field.apply(&self, value, Self.describe(value)) {
                    throw ConfigError(source: source, key: keyPath, message: problem)
                }
            }
        }
    }

    private mutating func applyEnvironment(_ environment: [String: String]) throws(ConfigError) {
        for field in Self.fields {
            guard let variable = field.environment, let text = environment[variable] else { continue }
            let value: TOMLValue = field.integerFromEnvironment ? Int64(text).map { .integer($0) } ?? .string(text) : .string(text)
            if let problem = field.apply(&self, value, JSONString.quoted(text)) {
                throw ConfigError(source: .environment(variable: variable), message: problem)
            }
        }
    }

    private func checkConsistency(document: TOMLDocument?) throws(ConfigError) {
        if cors.allowCredentials, cors.allowedOrigins.contains("*") {
            throw ConfigError(
                source: .file(path: file ?? "config", line: document?.line(of: "cors.allowed_origins")),
                key: "cors.allowed_origins",
                message: "\"*\" cannot be used when allow_credentials is true; list the allowed origins")
        }
    }

    /// A value as it appears in a message: its JSON text, shortened when long.
    static func describe(_ value: TOMLValue) -> String {
        let text = value.json
        return text.count > 80 ? String(text.prefix(77)) + "..." : text
    }
}

// MARK: - Database URL

extension ServerConfig {
    /// The file path of a supported database URL; nil for other databases.
    static func sqlitePath(of url: String) -> String? {
        let lowered = url.lowercased()
        let path: String
        if lowered.hasPrefix("sqlite://") {
            path = String(url.dropFirst("sqlite://".count))
        } else if lowered.hasPrefix("sqlite:") {
            path = String(url.dropFirst("sqlite:".count))
        } else if urlScheme(of: url) != nil {
            return nil
        } else {
            path = url
        }
        return path.isEmpty ? nil : path
    }

    /// `postgres` for `postgres://…`; nil for a plain path.
    static func urlScheme(of url: String) -> String? {
        guard let colon = url.firstIndex(of: ":") else { return nil }
        let scheme = url[..<colon]
        guard scheme.count >= 2, let first = scheme.first, first.isASCII, first.isLetter,
            scheme.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "+.-".contains($0)) })
        else { return nil }
        return String(scheme)
    }

    static func databaseURLProblem(_ url: String) -> String? {
        if url.isEmpty || sqlitePath(of: url) != nil { return nil }
        let scheme = urlScheme(of: url) ?? "sqlite"
        if scheme.lowercased() == "sqlite" { return "expected a database file path after \"\(url)\"" }
        // Not echoing the URL: it may carry a password.
        return "only sqlite is supported by this build (got a \(scheme): URL)"
    }
}
