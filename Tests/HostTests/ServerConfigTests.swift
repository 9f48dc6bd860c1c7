import Foundation
import Testing

@testable import Host

/// A config file in a fresh temporary directory, removed when the value is dropped.
private final class ConfigFile {
    let directory: String
    let path: String

    init(_ text: String) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("config-tests-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        path = directory + "/config.toml"
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    }

    deinit {
        try? FileManager.default.removeItem(atPath: directory)
    }
}

@Suite struct ServerConfigTests {
    /// The error `load` throws for a file (and environment); nil (and a recorded issue) if it loads.
    func loadError(_ text: String?, environment: [String: String] = [:], sourceLocation: SourceLocation = #_sourceLocation)
        throws -> (error: ConfigError, path: String)?
    {
        let file = try text.map(ConfigFile.init)
        do {
            _ = try ServerConfig.load(file: file?.path, environment: environment)
            Issue.record("expected an error", sourceLocation: sourceLocation)
            return nil
        } catch {
            return (error, file?.path ?? "")
        }
    }

    func object(_ json: String) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
    }

    // MARK: Defaults

    @Test func defaultsWithNoFile() throws {
        let config = try ServerConfig.load(file: nil, environment: [:])
        #expect(config == ServerConfig())
        #expect(config.file == nil)
        #expect(config.server.host == "127.0.0.1")
        #expect(config.server.port == 3000)
        #expect(config.server.eventLoops == max(1, ProcessInfo.processInfo.activeProcessorCount))
        #expect(config.server.workers == 16)
        #expect(config.server.dataDir == "./data")
        #expect(config.database.url == "")
        #expect(config.databasePath == "./data/pattern.db")
        #expect(config.database.readers == 4)
        #expect(config.database.busyTimeoutMs == 5000)
        #expect(config.plugins.dir == nil)
        #expect(config.plugins.enabled == nil)
        #expect(config.cors.allowedOrigins == [])
        #expect(config.cors.allowCredentials == false)
        #expect(config.cors.maxAgeSeconds == 600)
        #expect(config.cors.allowedHeaders == ["Authorization", "Content-Type", "X-Request-Id", "If-Match"])
        #expect(config.cors.allowedMethods == ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"])
        #expect(
            config.limits
                == ServerConfig.Limits(
                    maxBodyBytes: 1_048_576, maxHeaderBytes: 16_384, maxConnections: 10_000, headerTimeoutSeconds: 10,
                    bodyTimeoutSeconds: 30, pendingTimeoutSeconds: 600, streamQueueBytes: 1_048_576, idleTimeoutSeconds: 60, maxConnectionsPerIP: 256, connectionCapExempt: [],
                    shutdownGraceSeconds: 10, maxJSONDepth: 64))
        #expect(config.limits.maxProcesses == 64)
        #expect(config.setting("limits.max_processes") == "64")
        #expect(config.log.level == .info)
        #expect(config.log.format == .logfmt)

        #expect(config.setting("server.port") == "3000")
        #expect(config.setting("database.url") == #""sqlite://./data/pattern.db""#)
        #expect(config.setting("auth.jwt_secret") == nil)
        #expect(config.setting("plugins.dir") == nil)
        #expect(config.setting("log.level") == #""info""#)
        #expect(config.setting("cors.allowed_origins") == "[]")
        #expect(config.pluginSection("agents") == "{}")
        // [auth] is the auth plugin's: the host repeats none of its defaults.
        #expect(config.pluginSection("auth") == "{}")
    }

    @Test func emptyFileGivesDefaults() throws {
        let file = try ConfigFile("# nothing here\n")
        let config = try ServerConfig.load(file: file.path, environment: [:])
        var expected = ServerConfig()
        expected.file = file.path
        #expect(config == expected)
    }

    // MARK: File values

    @Test func fileValues() throws {
        let file = try ConfigFile(
            """
            [server]
            host = "0.0.0.0"
            port = 0
            event_loops = 2
            workers = 32
            data_dir = "/var/lib/pattern/"

            [database]
            url = "sqlite:///srv/db/main.db"
            readers = 8
            busy_timeout_ms = 0

            [auth]
            access_token_ttl = 60
            refresh_token_ttl = 3_600
            bcrypt_cost = 4
            jwt_secret = "0123456789abcdef0123456789abcdef"
            allow_registration = true

            [plugins]
            dir = "/opt/pattern/plugins"
            enabled = ["auth", "agents"]

            [cors]
            allowed_origins = ["https://app.example.com", "http://localhost:5173"]
            allow_credentials = true
            max_age = 0
            allowed_headers = ["Authorization"]
            allowed_methods = ["GET", "POST"]

            [limits]
            max_body_bytes = 0x10_0000
            max_header_bytes = 8192
            max_connections = 100
            header_timeout_seconds = 5
            idle_timeout_seconds = 30
            shutdown_grace_seconds = 2
            max_json_depth = 16
            max_processes = 4

            [log]
            level = "debug"
            format = "json"
            """)
        let config = try ServerConfig.load(file: file.path, environment: [:])
        #expect(config.file == file.path)
        #expect(config.server == ServerConfig.Server(host: "0.0.0.0", port: 0, eventLoops: 2, workers: 32, dataDir: "/var/lib/pattern/"))
        #expect(config.database == ServerConfig.Database(url: "sqlite:///srv/db/main.db", readers: 8, busyTimeoutMs: 0))
        #expect(config.databasePath == "/srv/db/main.db")
        #expect(config.plugins.dir == "/opt/pattern/plugins")
        #expect(config.plugins.enabled == ["auth", "agents"])
        #expect(config.cors.allowedOrigins == ["https://app.example.com", "http://localhost:5173"])
        #expect(config.cors.allowCredentials)
        #expect(config.cors.maxAgeSeconds == 0)
        #expect(config.cors.allowedHeaders == ["Authorization"])
        #expect(config.cors.allowedMethods == ["GET", "POST"])
        #expect(config.limits.maxBodyBytes == 1_048_576)
        #expect(config.limits.maxHeaderBytes == 8192)
        #expect(config.limits.maxConnections == 100)
        #expect(config.limits.headerTimeoutSeconds == 5)
        #expect(config.limits.idleTimeoutSeconds == 30)
        #expect(config.limits.shutdownGraceSeconds == 2)
        #expect(config.limits.maxJSONDepth == 16)
        #expect(config.limits.maxProcesses == 4)
        #expect(config.log.level == .debug)
        #expect(config.log.format == .json)
        #expect(config.setting("database.url") == #""sqlite:///srv/db/main.db""#)
        #expect(config.setting("plugins.enabled") == #"["auth","agents"]"#)
        #expect(config.setting("cors.allow_credentials") == "true")
    }

    @Test func hostSectionsMayUseDottedKeys() throws {
        let file = try ConfigFile("server.port = 8080\nlog = { level = \"warn\" }\n")
        let config = try ServerConfig.load(file: file.path, environment: [:])
        #expect(config.server.port == 8080)
        #expect(config.log.level == .warn)
    }

    @Test(arguments: [
        ("", "./data", "./data/pattern.db"),
        ("", "/var/lib/pattern/", "/var/lib/pattern/pattern.db"),
        ("sqlite:///abs/path.db", "./data", "/abs/path.db"),
        ("sqlite://relative/path.db", "./data", "relative/path.db"),
        ("sqlite:other.db", "./data", "other.db"),
        ("SQLITE:///upper.db", "./data", "/upper.db"),
        ("/plain/path.db", "./data", "/plain/path.db"),
        ("plain.db", "./data", "plain.db"),
    ])
    func databasePath(url: String, dataDir: String, path: String) throws {
        let config = try ServerConfig.load(file: nil, environment: ["DATABASE_URL": url, "PATTERN_DATA_DIR": dataDir])
        #expect(config.databasePath == path)
    }

    // MARK: Environment

    @Test func environmentBeatsFile() throws {
        let file = try ConfigFile(
            """
            [server]
            host = "0.0.0.0"
            port = 4000
            data_dir = "/from/file"
            [database]
            url = "sqlite:/from/file.db"
            [auth]
            access_token_ttl = 1
            refresh_token_ttl = 2
            bcrypt_cost = 5
            jwt_secret = "file-secret-file-secret-file-secret"
            [plugins]
            dir = "/file/plugins"
            [log]
            level = "error"
            """)
        let secret = String(repeating: "s", count: 40)
        let config = try ServerConfig.load(
            file: file.path,
            environment: [
                "HOST": "::1", "PORT": "5000", "PATTERN_DATA_DIR": "/from/env", "DATABASE_URL": "sqlite:///from/env.db",
                "ACCESS_TOKEN_TTL": "10", "REFRESH_TOKEN_TTL": "20", "BCRYPT_COST": "6", "JWT_SECRET": secret,
                "PATTERN_PLUGIN_DIR": "/env/plugins", "PATTERN_LOG_LEVEL": "debug", "UNRELATED": "ignored",
            ])
        #expect(config.server.host == "::1")
        #expect(config.server.port == 5000)
        #expect(config.server.dataDir == "/from/env")
        #expect(config.databasePath == "/from/env.db")
        #expect(config.plugins.dir == "/env/plugins")
        #expect(config.log.level == .debug)
        #expect(config.setting("server.port") == "5000")
        // The auth plugin reads its own variables; the host neither applies nor exposes them.
        #expect(config.setting("auth.jwt_secret") == nil)
        #expect(!config.pluginSection("auth").contains(secret))
    }

    @Test func environmentWithoutFileAndEmptyVariables() throws {
        let config = try ServerConfig.load(file: nil, environment: ["PORT": "8081", "HOST": "", "JWT_SECRET": ""])
        #expect(config.server.port == 8081)
        #expect(config.server.host == "127.0.0.1")
    }

    @Test func dataDirFromEnvironmentMovesTheDefaultDatabase() throws {
        let config = try ServerConfig.load(file: nil, environment: ["PATTERN_DATA_DIR": "/tmp/pattern-x"])
        #expect(config.databasePath == "/tmp/pattern-x/pattern.db")
        #expect(config.setting("database.url") == #""sqlite:///tmp/pattern-x/pattern.db""#)
    }

    @Test func patternConfigNamesTheFile() throws {
        let file = try ConfigFile("[server]\nport = 4321\n")
        let config = try ServerConfig.load(file: nil, environment: ["PATTERN_CONFIG": file.path])
        #expect(config.server.port == 4321)
        #expect(config.file == file.path)

        let other = try ConfigFile("[server]\nport = 1234\n")
        let explicit = try ServerConfig.load(file: other.path, environment: ["PATTERN_CONFIG": file.path])
        #expect(explicit.server.port == 1234)
    }

    // MARK: Errors

    @Test(arguments: [
        ("[server]\nport = \"abc\"", #":2: server.port: expected an integer from 0 to 65535, got "abc""#),
        ("[server]\nport = 65536", ":2: server.port: expected an integer from 0 to 65535, got 65536"),
        ("[server]\nport = -1", ":2: server.port: expected an integer from 0 to 65535, got -1"),
        ("[server]\n\nhost = \"\"", #":3: server.host: expected a non-empty string, got """#),
        ("[server]\nhost = \"my host\"", #":2: server.host: expected a host name or address without spaces, got "my host""#),
        ("[server]\nevent_loops = 0", ":2: server.event_loops: expected an integer of at least 1, got 0"),
        ("[server]\nworkers = 1.5", ":2: server.workers: expected an integer of at least 1, got 1.5"),
        ("[server]\ndata_dir = 7", ":2: server.data_dir: expected a non-empty string, got 7"),
        ("[database]\nurl = \"postgres://user:hunter2@db/pattern\"", ":2: database.url: only sqlite is supported by this build (got a postgres: URL)"),
        ("[database]\nurl = \"sqlite://\"", #":2: database.url: expected a database file path after "sqlite://""#),
        ("[database]\nurl = 5", ":2: database.url: expected a string, got 5"),
        ("[database]\nreaders = 0", ":2: database.readers: expected an integer of at least 1, got 0"),
        ("[database]\nbusy_timeout_ms = -5", ":2: database.busy_timeout_ms: expected an integer of at least 0, got -5"),
        ("[plugins]\ndir = \"\"", #":2: plugins.dir: expected a non-empty string, got """#),
        ("[plugins]\nenabled = \"auth\"", #":2: plugins.enabled: expected an array of strings, got "auth""#),
        ("[plugins]\nenabled = [\"auth\",\n  1]", ":2: plugins.enabled: expected an array of non-empty strings, got 1"),
        ("[cors]\nallowed_origins = [\"https://x.com/\"]", #":2: cors.allowed_origins: expected "*" or origins like "https://app.example.com" (scheme://host[:port], no path), got "https://x.com/""#),
        ("[cors]\nallowed_origins = \"*\"", #":2: cors.allowed_origins: expected an array of strings, got "*""#),
        ("[cors]\nallow_credentials = \"yes\"", #":2: cors.allow_credentials: expected true or false, got "yes""#),
        ("[cors]\nmax_age = -1", ":2: cors.max_age: expected an integer of at least 0, got -1"),
        ("[cors]\nallowed_headers = [\"X Bad\"]", #":2: cors.allowed_headers: expected HTTP tokens (letters, digits and !#$%&'*+-.^_`|~), got "X Bad""#),
        ("[cors]\nallowed_methods = [\"\"]", #":2: cors.allowed_methods: expected an array of non-empty strings, got """#),
        ("[cors]\nallowed_origins = [\"*\"]\nallow_credentials = true", #":2: cors.allowed_origins: "*" cannot be used when allow_credentials is true; list the allowed origins"#),
        ("[cors]\nallow_credentials = true\nallowed_origins = [\"https://a.example\", \"*\"]", #":3: cors.allowed_origins: "*" cannot be used when allow_credentials is true; list the allowed origins"#),
        ("[limits]\nmax_body_bytes = 0", ":2: limits.max_body_bytes: expected an integer of at least 1, got 0"),
        ("[limits]\nmax_header_bytes = 0", ":2: limits.max_header_bytes: expected an integer of at least 1, got 0"),
        ("[limits]\nmax_connections = -3", ":2: limits.max_connections: expected an integer of at least 1, got -3"),
        ("[limits]\nheader_timeout_seconds = 0", ":2: limits.header_timeout_seconds: expected an integer of at least 1, got 0"),
        ("[limits]\nidle_timeout_seconds = 0.5", ":2: limits.idle_timeout_seconds: expected an integer of at least 1, got 0.5"),
        ("[limits]\nshutdown_grace_seconds = 0", ":2: limits.shutdown_grace_seconds: expected an integer of at least 1, got 0"),
        ("[limits]\nmax_json_depth = [64]", ":2: limits.max_json_depth: expected an integer of at least 1, got [64]"),
        ("[limits]\nbody_timeout_seconds = 0", ":2: limits.body_timeout_seconds: expected an integer of at least 1, got 0"),
        ("[limits]\nmax_connections_per_ip = 0", ":2: limits.max_connections_per_ip: expected an integer of at least 1, got 0"),
        ("[limits]\nmax_processes = 0", ":2: limits.max_processes: expected an integer of at least 1, got 0"),
        ("[limits]\nconnection_cap_exempt = [\"10.0.0.0/8\"]", #":2: limits.connection_cap_exempt: expected an IP address like "127.0.0.1" or "::1", got "10.0.0.0/8""#),
        ("[outbound]\nallow = [\"10.0.0.0/33\"]", #":2: outbound.allow: expected CIDR ranges like "127.0.0.1/32" or "fd00::/8", got "10.0.0.0/33""#),
        ("[outbound]\nallow_private_networks = \"yes\"", #":2: outbound.allow_private_networks: expected true or false, got "yes""#),
        ("[outbound]\nca_file = \"/nonexistent.pem\"", #":2: outbound.ca_file: expected a readable PEM file, got "/nonexistent.pem" (no such file or not readable)"#),
        ("[outbound]\nmax_connections_per_origin = 0", ":2: outbound.max_connections_per_origin: expected an integer from 1 to 65536, got 0"),
        ("[log]\nlevel = \"verbose\"", #":2: log.level: expected one of "debug", "info", "warn", "error", got "verbose""#),
        ("[log]\nformat = \"text\"", #":2: log.format: expected one of "logfmt", "json", got "text""#),
        ("server = 1", ":1: server: expected a table (a [server] section), got 1"),
        ("[[server]]\nport = 1", ":1: server: expected a table (a [server] section), got [{\"port\":1}]"),
        ("stray = \"x\"", #":1: stray: expected a table (a [stray] section), got "x""#),
    ])
    func fileValidationErrors(text: String, message: String) throws {
        let result = try #require(try loadError(text))
        #expect(result.error.description == result.path + message)
        if case .file(let path, let line) = result.error.source {
            #expect(path == result.path)
            #expect(line != nil)
        } else {
            Issue.record("expected a file source, got \(result.error.source)")
        }
    }

    @Test(arguments: [
        ("[server]\nhost = \"x\"\nprot = 3000", #":3: unknown key "prot" in [server]"#),
        ("server.prot = 3000", #":1: unknown key "prot" in [server]"#),
        ("[server.tls]\ncert = \"x\"", #":1: unknown key "tls" in [server]"#),
        ("[database]\npath = \"x\"", #":2: unknown key "path" in [database]"#),
        ("[limits]\nmax_body = 1", #":2: unknown key "max_body" in [limits]"#),
        ("[log]\n\"lev el\" = 1", #":2: unknown key "lev el" in [log]"#),
        ("[cors]\norigins = []", #":2: unknown key "origins" in [cors]"#),
        ("[plugins]\nenable = []", #":2: unknown key "enable" in [plugins]"#),
        ("[outbound]\nproxy = \"x\"", #":2: unknown key "proxy" in [outbound]"#),
        ("[server]\nversion = 2", #":2: unknown key "version" in [server]"#),
    ])
    func unknownHostKeys(text: String, message: String) throws {
        let result = try #require(try loadError(text))
        #expect(result.error.description == result.path + message)
    }

    @Test func tomlSyntaxErrorsNameTheFileAndLine() throws {
        let result = try #require(try loadError("[server]\nport = 1\n\nhost = = \"x\""))
        #expect(result.error.description == result.path + ":4: expected a value, found '='")
        let duplicate = try #require(try loadError("[server]\nport = 1\nport = 2"))
        #expect(duplicate.error.description == duplicate.path + ":3: key port is defined twice (first on line 2)")
    }

    @Test(arguments: [
        (["PORT": "x"], #"environment PORT: expected an integer from 0 to 65535, got "x""#),
        (["PORT": "70000"], #"environment PORT: expected an integer from 0 to 65535, got "70000""#),
        (["PORT": " 80"], #"environment PORT: expected an integer from 0 to 65535, got " 80""#),
        (["HOST": "a b"], #"environment HOST: expected a host name or address without spaces, got "a b""#),
        (["DATABASE_URL": "mysql://root:hunter2@localhost/db"], "environment DATABASE_URL: only sqlite is supported by this build (got a mysql: URL)"),
        (["PATTERN_LOG_LEVEL": "trace"], #"environment PATTERN_LOG_LEVEL: expected one of "debug", "info", "warn", "error", got "trace""#),
        (["PATTERN_CONFIG": "/nonexistent/pattern.toml"], #"environment PATTERN_CONFIG: cannot read the config file "/nonexistent/pattern.toml": no such file"#),
    ])
    func environmentValidationErrors(environment: [String: String], message: String) throws {
        let result = try #require(try loadError(nil, environment: environment))
        #expect(result.error.description == message)
        #expect(!result.error.description.contains("hunter2"))
        #expect(result.error.source == .environment(variable: environment.keys.first!))
    }

    @Test func environmentErrorsBeatValidFileValues() throws {
        let result = try #require(try loadError("[server]\nport = 3001", environment: ["PORT": "abc"]))
        #expect(result.error.description == #"environment PORT: expected an integer from 0 to 65535, got "abc""#)
    }

    @Test func missingOrUnreadableFile() throws {
        let missing = "/nonexistent-dir/config.toml"
        #expect(throws: ConfigError(source: .file(path: missing, line: nil), message: "cannot read the config file: no such file")) {
            try ServerConfig.load(file: missing, environment: [:])
        }
        do {
            _ = try ServerConfig.load(file: missing, environment: [:])
        } catch {
            #expect(error.description == "/nonexistent-dir/config.toml: cannot read the config file: no such file")
        }
        let file = try ConfigFile("")
        do {
            _ = try ServerConfig.load(file: file.directory, environment: [:])
            Issue.record("expected an error")
        } catch {
            #expect(error.description == file.directory + ": cannot read the config file: it is a directory")
        }
        try Data([0x61, 0x3D, 0x22, 0xFF, 0x22]).write(to: URL(fileURLWithPath: file.path))
        do {
            _ = try ServerConfig.load(file: file.path, environment: [:])
            Issue.record("expected an error")
        } catch {
            #expect(error.description == file.path + ": cannot read the config file: it is not valid UTF-8")
        }
    }

    @Test func secretsAreNotEchoed() throws {
        let url = try #require(try loadError("[database]\nurl = \"postgresql://admin:hunter2@db/x\""))
        #expect(!url.error.description.contains("hunter2"))
    }

    // MARK: Plugin sections and settings

    @Test func pluginSectionJSONRoundTrip() throws {
        let file = try ConfigFile(
            #"""
            [server]
            port = 3001

            [agents]
            default_model = "claude \"sonnet\"\n"
            max_agents = 0x20
            temperature = 0.7
            enabled = true
            started = 2024-01-02T03:04:05Z
            models = ["a", 'b', """c"""]
            limits = { per_user = 10, burst.size = 3 }
            mixed = [1, [2.5, "x"], { k = [] }]
            nan_value = nan

            [agents.memory]
            backend = 'sqlite'

            [[agents.tools]]
            name = "search"
            [[agents.tools]]
            name = "fetch"

            [rate_limit]
            "per minute" = 60
            """#)
        let config = try ServerConfig.load(file: file.path, environment: [:])
        let agents = try object(config.pluginSection("agents"))
        #expect(agents["default_model"] as? String == "claude \"sonnet\"\n")
        #expect(agents["max_agents"] as? Int == 32)
        #expect(agents["temperature"] as? Double == 0.7)
        #expect(agents["enabled"] as? Bool == true)
        #expect(agents["started"] as? String == "2024-01-02T03:04:05Z")
        #expect(agents["models"] as? [String] == ["a", "b", "c"])
        #expect((agents["limits"] as? NSDictionary) == ["per_user": 10, "burst": ["size": 3]])
        let mixed = try #require(agents["mixed"] as? [Any])
        #expect(mixed.count == 3)
        #expect(mixed[0] as? Int == 1)
        #expect((mixed[1] as? NSArray) == [2.5, "x"])
        #expect((mixed[2] as? NSDictionary) == ["k": NSArray()])
        #expect(agents["nan_value"] is NSNull)
        #expect((agents["memory"] as? NSDictionary) == ["backend": "sqlite"])
        #expect((agents["tools"] as? NSArray) == [["name": "search"], ["name": "fetch"]])
        #expect(config.pluginSection("agents").hasPrefix(#"{"default_model":"claude \"sonnet\"\n","max_agents":32,"#))
        #expect(try object(config.pluginSection("rate_limit")) as NSDictionary == ["per minute": 60])
        #expect(config.pluginSection("missing") == "{}")

        // A plugin section is its plugin's alone: no setting reads it.
        #expect(config.setting("agents") == nil)
        #expect(config.setting("agents.max_agents") == nil)
        #expect(config.setting("agents.memory") == nil)
    }

    @Test func authSectionIsHandedOverAsWrittenAndReadableByNoSetting() throws {
        let secret = "a-file-secret-of-at-least-32-bytes!"
        let file = try ConfigFile(
            """
            [auth]
            allow_registration = true
            bcrypt_cost = 3
            jwt_secret = "\(secret)"
            """)
        // The host checks none of the keys (the auth plugin does, at its start) ...
        let config = try ServerConfig.load(file: file.path, environment: ["ACCESS_TOKEN_TTL": "not a number"])
        #expect(try object(config.pluginSection("auth")) as NSDictionary
            == ["allow_registration": true, "bcrypt_cost": 3, "jwt_secret": secret])
        // ... and no plugin can read them through `setting`.
        #expect(config.setting("auth") == nil)
        #expect(config.setting("auth.jwt_secret") == nil)
        #expect(config.setting("auth.bcrypt_cost") == nil)
    }

    @Test func settingsByDottedKey() throws {
        let config = try ServerConfig.load(file: nil, environment: ["JWT_SECRET": String(repeating: "k", count: 32)])
        #expect(config.setting("server.port") == "3000")
        #expect(config.setting("auth.jwt_secret") == nil)
        #expect(config.setting("server.host") == #""127.0.0.1""#)
        #expect(config.setting("limits.max_body_bytes") == "1048576")
        #expect(config.setting("cors.allowed_methods") == #"["GET","POST","PUT","PATCH","DELETE","OPTIONS"]"#)
        #expect(config.setting("log.format") == #""logfmt""#)
        #expect(try object(#require(config.setting("server")))["workers"] as? Int == 16)
        #expect(config.setting("server.nope") == nil)
        #expect(config.setting("server.port.deeper") == nil)
        #expect(config.setting("nope") == nil)
        #expect(config.setting("") == nil)
    }

    @Test func settingsFollowTypedFields() throws {
        var config = ServerConfig()
        config.server.port = 0
        config.log.level = .warn
        #expect(config.setting("server.port") == "0")
        #expect(config.setting("log.level") == #""warn""#)
    }

    @Test func outboundDefaultsAndValues() throws {
        #expect(ServerConfig().outbound == ServerConfig.Outbound(allowPrivateNetworks: false, allow: [], denyAll: false,
                                                                 caFile: nil, maxConnectionsPerOrigin: 1024))
        let file = try ConfigFile("[outbound]\nallow = [\"127.0.0.1/32\", \"::1\"]\ndeny_all = true\nmax_connections_per_origin = 8\n")
        let config = try ServerConfig.load(file: file.path, environment: [:])
        #expect(config.outbound.allow == ["127.0.0.1/32", "::1"] && config.outbound.denyAll)
        #expect(config.outbound.maxConnectionsPerOrigin == 8)
        #expect(config.setting("outbound.allow") == #"["127.0.0.1/32","::1"]"#)
    }

    @Test func logLevelsAreOrdered() {
        #expect(ServerConfig.Log.Level.debug < .info)
        #expect(ServerConfig.Log.Level.info < .warn)
        #expect(ServerConfig.Log.Level.warn < .error)
        #expect(!(ServerConfig.Log.Level.error < .error))
    }
}
