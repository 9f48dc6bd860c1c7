import Foundation

/// The host's configuration: defaults, then the TOML file, then environment overrides, each
/// value checked by the same rules wherever it came from.
///
/// The host's own sections are `[server]`, `[database]`, `[auth]`, `[plugins]`, `[cors]`,
/// `[limits]`, `[outbound]` and `[log]`; an unknown key in them is an error, except in `[auth]`, which is
/// also the auth plugin's section. Every other top-level table is a plugin's section, kept
/// as written and handed to the plugin as JSON (`pluginSection(_:)`).
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

    struct Auth: Sendable, Equatable {
        var accessTokenTTLSeconds = 900
        var refreshTokenTTLSeconds = 604_800
        var bcryptCost = 12
        /// At least 32 bytes when set; nil means the host generates one in the data directory.
        var jwtSecret: String?
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
    var auth = Auth()
    var plugins = Plugins()
    var cors = CORS()
    var limits = Limits()
    var outbound = Outbound()
    var log = Log()
    /// The config file that was read, if any.
    var file: String?
    /// Plugin sections as written, and `[auth]` as written (for its plugin-only keys).
    private var sections = TOMLTable()

    /// The defaults: what the server runs with when there is no file and no environment.
    init() {}

    static let hostSections = ["server", "database", "auth", "plugins", "cors", "limits", "outbound", "log"]

    /// The SQLite file `database.url` names (the default: `<data_dir>/pattern.db`).
    var databasePath: String {
        if database.url.isEmpty {
            return server.dataDir.hasSuffix("/") ? server.dataDir + "pattern.db" : server.dataDir + "/pattern.db"
        }
        return Self.sqlitePath(of: database.url) ?? database.url
    }

    /// The JSON object text of the `[name]` section (`{}` when absent). For `[auth]`, the keys
    /// the host knows carry their effective values (file, environment or default).
    func pluginSection(_ name: String) -> String {
        section(name)?.json ?? "{}"
    }

    /// The JSON text of an effective value by dotted key (`server.port` → `3000`), or of a whole
    /// section (`cors`); nil when there is no such value.
    func setting(_ dottedKey: String) -> String? {
        let keys = dottedKey.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard let first = keys.first, let table = section(first) else { return nil }
        if keys.count == 1 { return table.json }
        return table.value(at: keys.dropFirst())?.json
    }

    private func section(_ name: String) -> TOMLTable? {
        guard Self.hostSections.contains(name) else { return sections[name]?.tableValue }
        var table = name == "auth" ? sections["auth"]?.tableValue ?? TOMLTable() : TOMLTable()
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
                return ConfigError(source: source, message: "cannot read the config file \(TOMLJSONText.quoted(path)): \(problem)")
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
            if name == "auth" { sections[name] = value }
            for (key, value) in table.entries {
                let keyPath = TOMLDocument.keyPath([name, key])
                let source = ConfigError.Source.file(path: path, line: document.line(of: keyPath))
                guard let field = fields.first(where: { $0.section == name && $0.key == key }) else {
                    if name == "auth" { continue }
                    throw ConfigError(source: source, message: "unknown key \(TOMLJSONText.quoted(key)) in [\(name)]")
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
            if let problem = field.apply(&self, value, TOMLJSONText.quoted(text)) {
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

// MARK: - Fields

/// One host key: where it lives, how the environment overrides it, how a value is checked and
/// stored, and how its effective value reads back.
private struct ConfigField {
    let section: String
    let key: String
    var environment: String?
    var integerFromEnvironment = false
    /// Checks and stores a value; returns the problem, if any. `shown` is the value as a message
    /// shows it (TOML values as JSON; environment variables as the quoted text that was set).
    let apply: (_ config: inout ServerConfig, _ value: TOMLValue, _ shown: String) -> String?
    let render: (ServerConfig) -> TOMLValue?
}

extension ServerConfig {
    fileprivate static var fields: [ConfigField] {
        typealias F = ConfigField
        let port = 0...65_535
        return [
            .string("server", "host", \.server.host, environment: "HOST", check: Check.noWhitespace),
            .integer("server", "port", \.server.port, min: port.lowerBound, max: port.upperBound, environment: "PORT"),
            .integer("server", "event_loops", \.server.eventLoops, min: 1),
            .integer("server", "workers", \.server.workers, min: 1),
            .string("server", "data_dir", \.server.dataDir, environment: "PATTERN_DATA_DIR"),

            F(section: "database", key: "url", environment: "DATABASE_URL",
              apply: { config, value, shown in
                  guard case .string(let url) = value else { return "expected a string, got \(shown)" }
                  if let problem = databaseURLProblem(url) { return problem }
                  config.database.url = url
                  return nil
              },
              render: { config in .string(config.database.url.isEmpty ? "sqlite://" + config.databasePath : config.database.url) }),
            .integer("database", "readers", \.database.readers, min: 1),
            .integer("database", "busy_timeout_ms", \.database.busyTimeoutMs, min: 0),

            .integer("auth", "access_token_ttl", \.auth.accessTokenTTLSeconds, min: 1, environment: "ACCESS_TOKEN_TTL"),
            .integer("auth", "refresh_token_ttl", \.auth.refreshTokenTTLSeconds, min: 1, environment: "REFRESH_TOKEN_TTL"),
            .integer("auth", "bcrypt_cost", \.auth.bcryptCost, min: 4, max: 31, environment: "BCRYPT_COST"),
            F(section: "auth", key: "jwt_secret", environment: "JWT_SECRET",
              apply: { config, value, shown in
                  // Never echo a secret.
                  guard case .string(let secret) = value else { return "expected a string of at least 32 bytes, got \(value.typeNameWithArticle)" }
                  guard secret.utf8.count >= 32 else { return "expected at least 32 bytes, got \(secret.utf8.count)" }
                  config.auth.jwtSecret = secret
                  return nil
              },
              render: { config in config.auth.jwtSecret.map { .string($0) } }),

            .optionalString("plugins", "dir", \.plugins.dir, environment: "PATTERN_PLUGIN_DIR"),
            .strings("plugins", "extra_dirs", \.plugins.extraDirs, check: Check.nonEmpty),
            .optionalStrings("plugins", "enabled", \.plugins.enabled),

            .strings("cors", "allowed_origins", \.cors.allowedOrigins, check: Check.origin),
            .boolean("cors", "allow_credentials", \.cors.allowCredentials),
            .integer("cors", "max_age", \.cors.maxAgeSeconds, min: 0),
            .strings("cors", "allowed_headers", \.cors.allowedHeaders, check: Check.token),
            .strings("cors", "allowed_methods", \.cors.allowedMethods, check: Check.token),

            .integer("limits", "max_body_bytes", \.limits.maxBodyBytes, min: 1),
            .integer("limits", "max_header_bytes", \.limits.maxHeaderBytes, min: 1),
            .integer("limits", "max_connections", \.limits.maxConnections, min: 1),
            .integer("limits", "header_timeout_seconds", \.limits.headerTimeoutSeconds, min: 1),
            .integer("limits", "body_timeout_seconds", \.limits.bodyTimeoutSeconds, min: 1),
            .integer("limits", "pending_timeout_seconds", \.limits.pendingTimeoutSeconds, min: 1),
            .integer("limits", "stream_queue_bytes", \.limits.streamQueueBytes, min: 1024),
            .integer("limits", "max_connections_per_ip", \.limits.maxConnectionsPerIP, min: 1),
            .strings("limits", "connection_cap_exempt", \.limits.connectionCapExempt, check: Check.ipAddress),
            .integer("limits", "idle_timeout_seconds", \.limits.idleTimeoutSeconds, min: 1),
            .integer("limits", "shutdown_grace_seconds", \.limits.shutdownGraceSeconds, min: 1),
            .integer("limits", "max_json_depth", \.limits.maxJSONDepth, min: 1),
            .integer("limits", "ws_max_message_bytes", \.limits.webSocketMaxMessageBytes, min: 125),
            .integer("limits", "ws_send_queue_bytes", \.limits.webSocketSendQueueBytes, min: 1024),
            .integer("limits", "ws_ping_interval_seconds", \.limits.webSocketPingIntervalSeconds, min: 1),
            .integer("limits", "max_processes", \.limits.maxProcesses, min: 1),

            .boolean("outbound", "allow_private_networks", \.outbound.allowPrivateNetworks),
            .strings("outbound", "allow", \.outbound.allow, check: Check.network),
            .boolean("outbound", "deny_all", \.outbound.denyAll),
            F(section: "outbound", key: "ca_file",
              apply: { config, value, shown in
                  guard case .string(let path) = value, !path.isEmpty else { return "expected a file path, got \(shown)" }
                  guard FileManager.default.isReadableFile(atPath: path) else {
                      return "expected a readable PEM file, got \(shown) (no such file or not readable)"
                  }
                  config.outbound.caFile = path
                  return nil
              },
              render: { config in config.outbound.caFile.map { .string($0) } }),
            .integer("outbound", "max_connections_per_origin", \.outbound.maxConnectionsPerOrigin, min: 1, max: 65_536),

            .choice("log", "level", \.log.level, environment: "PATTERN_LOG_LEVEL"),
            .choice("log", "format", \.log.format),
        ]
    }
}

/// Element and string checks: nil when fine, else what was expected.
private enum Check {
    /// A literal IPv4 or IPv6 address, as the socket reports peers.
    static func ipAddress(_ text: String) -> String? {
        ClientAddress.normalized(text) == nil ? "expected an IP address like \"127.0.0.1\" or \"::1\"" : nil
    }

    /// An address range in CIDR notation, or one address.
    static func network(_ text: String) -> String? {
        IPNetwork(text) == nil ? "expected CIDR ranges like \"127.0.0.1/32\" or \"fd00::/8\"" : nil
    }

    static func nonEmpty(_ text: String) -> String? {
        text.isEmpty ? "expected folder paths, not an empty string" : nil
    }

    static func noWhitespace(_ text: String) -> String? {
        text.contains(where: \.isWhitespace) ? "expected a host name or address without spaces" : nil
    }

    /// `*` or `scheme://host[:port]`, as browsers send the Origin header.
    static func origin(_ text: String) -> String? {
        let expected = "expected \"*\" or origins like \"https://app.example.com\" (scheme://host[:port], no path)"
        if text == "*" { return nil }
        guard let separator = text.range(of: "://"), ServerConfig.urlScheme(of: text) != nil else { return expected }
        let authority = text[separator.upperBound...]
        guard !authority.isEmpty, !authority.contains("/"), !authority.contains(where: \.isWhitespace) else { return expected }
        return nil
    }

    /// An HTTP token (header names, methods).
    static func token(_ text: String) -> String? {
        let allowed = "!#$%&'*+-.^_`|~"
        let valid = !text.isEmpty && text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || allowed.contains($0)) }
        return valid ? nil : "expected HTTP tokens (letters, digits and !#$%&'*+-.^_`|~)"
    }
}

extension ConfigField {
    static func integer(
        _ section: String, _ key: String, _ path: WritableKeyPath<ServerConfig, Int>, min: Int, max: Int? = nil,
        environment: String? = nil
    ) -> ConfigField {
        let expected = max.map { "an integer from \(min) to \($0)" } ?? "an integer of at least \(min)"
        return ConfigField(
            section: section, key: key, environment: environment, integerFromEnvironment: true,
            apply: { config, value, shown in
                guard case .integer(let number) = value, number >= min, number <= max.map(Int64.init) ?? Int64.max else {
                    return "expected \(expected), got \(shown)"
                }
                config[keyPath: path] = Int(number)
                return nil
            },
            render: { config in .integer(Int64(config[keyPath: path])) })
    }

    static func string(
        _ section: String, _ key: String, _ path: WritableKeyPath<ServerConfig, String>, environment: String? = nil,
        check: @escaping (String) -> String? = { _ in nil }
    ) -> ConfigField {
        ConfigField(
            section: section, key: key, environment: environment,
            apply: { config, value, shown in
                guard case .string(let text) = value, !text.isEmpty else {
                    return "expected a non-empty string, got \(shown)"
                }
                if let problem = check(text) { return "\(problem), got \(shown)" }
                config[keyPath: path] = text
                return nil
            },
            render: { config in .string(config[keyPath: path]) })
    }

    static func optionalString(
        _ section: String, _ key: String, _ path: WritableKeyPath<ServerConfig, String?>, environment: String? = nil
    ) -> ConfigField {
        ConfigField(
            section: section, key: key, environment: environment,
            apply: { config, value, shown in
                guard case .string(let text) = value, !text.isEmpty else {
                    return "expected a non-empty string, got \(shown)"
                }
                config[keyPath: path] = text
                return nil
            },
            render: { config in config[keyPath: path].map { .string($0) } })
    }

    static func boolean(_ section: String, _ key: String, _ path: WritableKeyPath<ServerConfig, Bool>) -> ConfigField {
        ConfigField(
            section: section, key: key,
            apply: { config, value, shown in
                guard case .boolean(let flag) = value else { return "expected true or false, got \(shown)" }
                config[keyPath: path] = flag
                return nil
            },
            render: { config in .boolean(config[keyPath: path]) })
    }

    /// An array of strings, each non-empty and passing `check`.
    static func stringArray(_ value: TOMLValue, shown: String, check: (String) -> String?) -> Result<[String], ConfigProblem> {
        guard case .array(let elements) = value else {
            return .failure(ConfigProblem("expected an array of strings, got \(shown)"))
        }
        var strings: [String] = []
        for element in elements {
            guard case .string(let text) = element, !text.isEmpty else {
                return .failure(ConfigProblem("expected an array of non-empty strings, got \(ServerConfig.describe(element))"))
            }
            if let problem = check(text) { return .failure(ConfigProblem("\(problem), got \(ServerConfig.describe(element))")) }
            strings.append(text)
        }
        return .success(strings)
    }

    static func strings(
        _ section: String, _ key: String, _ path: WritableKeyPath<ServerConfig, [String]>,
        check: @escaping (String) -> String? = { _ in nil }
    ) -> ConfigField {
        ConfigField(
            section: section, key: key,
            apply: { config, value, shown in
                switch stringArray(value, shown: shown, check: check) {
                case .success(let strings): config[keyPath: path] = strings; return nil
                case .failure(let problem): return problem.message
                }
            },
            render: { config in .array(config[keyPath: path].map { .string($0) }) })
    }

    static func optionalStrings(
        _ section: String, _ key: String, _ path: WritableKeyPath<ServerConfig, [String]?>
    ) -> ConfigField {
        ConfigField(
            section: section, key: key,
            apply: { config, value, shown in
                switch stringArray(value, shown: shown, check: { _ in nil }) {
                case .success(let strings): config[keyPath: path] = strings; return nil
                case .failure(let problem): return problem.message
                }
            },
            render: { config in config[keyPath: path].map { .array($0.map { .string($0) }) } })
    }

    static func choice<Choice: RawRepresentable & CaseIterable>(
        _ section: String, _ key: String, _ path: WritableKeyPath<ServerConfig, Choice>, environment: String? = nil
    ) -> ConfigField where Choice.RawValue == String {
        let names = Choice.allCases.map { TOMLJSONText.quoted($0.rawValue) }.joined(separator: ", ")
        return ConfigField(
            section: section, key: key, environment: environment,
            apply: { config, value, shown in
                guard case .string(let text) = value, let choice = Choice(rawValue: text) else {
                    return "expected one of \(names), got \(shown)"
                }
                config[keyPath: path] = choice
                return nil
            },
            render: { config in .string(config[keyPath: path].rawValue) })
    }
}

private struct ConfigProblem: Error {
    let message: String
    init(_ message: String) { self.message = message }
}
