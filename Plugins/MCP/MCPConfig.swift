import PluginKit

/// The `[mcp]` section of the config file. Every key is checked at start: a bad value refuses
/// the start with one line naming the key and what it must be. Keys this type does not know
/// are left to the rest of the plugin.
struct MCPConfig: Sendable, Equatable {
    /// Programs admins may register as stdio servers, by exact absolute path (default none).
    var stdioCommands: [String] = []
    var maxServersPerUser = 32
    /// Tools kept from one server's tools/list (the rest are left out, and last_error says so).
    var maxToolsPerServer = 256
    /// Largest JSON-RPC message taken from a server (a stdio line, an HTTP answer).
    var maxMessageBytes = 4 * 1024 * 1024
    /// tools/call requests in flight to one server; beyond, a call is refused at once.
    var maxConcurrentCalls = 8
    var callTimeoutSeconds = 60
    /// Time for the initialize handshake and the first tools/list.
    var connectTimeoutSeconds = 15
    /// A connected server is pinged this often; one that does not answer is reconnected.
    var pingIntervalSeconds = 30

    struct Invalid: Error, CustomStringConvertible {
        let description: String
    }

    // Computed: key paths are not Sendable, so it cannot be a stored static.
    private static var limits: ConfigIntegers<MCPConfig> { ConfigIntegers(keys: [
        ("max_servers_per_user", 1...1024, \.maxServersPerUser),
        ("max_tools_per_server", 1...4096, \.maxToolsPerServer),
        ("max_message_bytes", 4096...(64 * 1024 * 1024), \.maxMessageBytes),
        ("max_concurrent_calls", 1...256, \.maxConcurrentCalls),
        ("call_timeout_seconds", 1...3600, \.callTimeoutSeconds),
        ("connect_timeout_seconds", 1...600, \.connectTimeoutSeconds),
        ("ping_interval_seconds", 1...86_400, \.pingIntervalSeconds),
    ]) }

    static func load(_ host: PluginHost) throws -> MCPConfig {
        try parse(JSONValue(parsing: host.configJSON) ?? [:])
    }

    static func parse(_ section: JSONValue) throws -> MCPConfig {
        var config = MCPConfig()
        do {
            try limits.apply(section, to: &config)
        } catch {
            throw Invalid(description: error.description)
        }
        if let commands = section["stdio_commands"] {
            let problem = Invalid(description: "mcp.stdio_commands: expected a list of absolute paths, got \(commands.jsonText)")
            guard let list = commands.arrayValue else { throw problem }
            config.stdioCommands = try list.map { entry in
                guard let path = entry.stringValue, path.hasPrefix("/"), !path.utf8.contains(0) else { throw problem }
                return path
            }
        }
        return config
    }
}
