import PluginKit

/// The client half of the plugin: the registry of users' MCP servers (routes, table, sealed
/// secrets), their live connections, and the "mcp.v1" service through which chat offers and
/// calls their tools.
enum MCPClient {
    /// The live connections, kept to stop them at shutdown.
    static func setUp(_ host: PluginHost) throws -> MCPConnectionTable {
        guard host.supportsProcesses, let client = host.client else { throw ClientNeedsNewerHost() }
        let config = try MCPConfig.load(host)
        try MCPClientSchema.register(host)
        let store = MCPServerStore(database: host.database)
        let vault = MCPSecretsVault(secrets: try host.secrets, store: store)
        try vault.registerRotation()
        let connections = MCPConnectionTable(host: host, config: config, client: client)
        try MCPServerRoutes(store: store, vault: vault, connections: connections, config: config).register(host)
        try MCPToolService.provide(host, directory: MCPToolDirectory(store: store, connections: connections))
        for server in try store.enabled() {
            do {
                connections.start(server, secrets: try vault.open(try store.sealedSecrets(id: server.id) ?? "", id: server.id))
            } catch {
                host.log(.error, "mcp: the secrets of server \(server.id) cannot be opened (\(error)); it stays disconnected")
            }
        }
        try connections.startClock()
        return connections
    }
}

/// The host predates ABI 1.4: no timers, child processes or outbound client to reach servers with.
struct ClientNeedsNewerHost: Error, CustomStringConvertible {
    var description: String { "mcp: needs a host with timers, child processes and the outbound client (plugin ABI 1.4)" }
}
