import PluginKit

/// The /mcp endpoint's keys of the `[mcp]` section (the MCP client's keys are read by
/// MCPConfig): how many sessions it keeps, for how long, and how long a list page is. A bad
/// value refuses the start with one line naming the key.
struct EndpointConfig: Sendable, Equatable {
    /// Sessions of all users together; an initialize beyond it is refused (503).
    var maxSessions = 4096
    /// Sessions of one user; a new one beyond it ends that user's least recently used.
    var maxSessionsPerUser = 32
    /// A session unused this long ends (its id then answers 404; clients initialize again).
    var sessionIdleSeconds = 1800
    /// Items per `tools/list` and `resources/list` page.
    var pageSize = 50

    // Computed: key paths are not Sendable, so it cannot be a stored static.
    private static var keys: ConfigIntegers<EndpointConfig> { ConfigIntegers(keys: [
        ("endpoint_max_sessions", 1...1_000_000, \.maxSessions),
        ("endpoint_max_sessions_per_user", 1...10_000, \.maxSessionsPerUser),
        ("endpoint_session_idle_seconds", 1...604_800, \.sessionIdleSeconds),
        ("endpoint_page_size", 1...1000, \.pageSize),
    ]) }

    static func load(_ host: PluginHost) throws -> EndpointConfig {
        try parse(JSONValue(parsing: host.configJSON) ?? [:])
    }

    static func parse(_ section: JSONValue) throws(ConfigIntegers<EndpointConfig>.Invalid) -> EndpointConfig {
        var config = EndpointConfig()
        try keys.apply(section, to: &config)
        return config
    }
}
