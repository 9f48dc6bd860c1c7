import PluginKit

/// The client half's table (portable SQL): one row per registered server. `transport` is the
/// JSON of its non-secret part; `secrets` the sealed env and header values, bound to the row id.
/// Names are unique per owner, as `mcp:<server name>/<tool>` must name one server.
enum MCPClientSchema {
    static let servers = """
        CREATE TABLE mcp_servers (
            id TEXT PRIMARY KEY,
            owner_id TEXT NOT NULL,
            name TEXT NOT NULL,
            description TEXT,
            transport TEXT NOT NULL,
            secrets TEXT NOT NULL,
            auto_reconnect INTEGER NOT NULL,
            enabled INTEGER NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE UNIQUE INDEX mcp_servers_owner_name ON mcp_servers (owner_id, name);
        CREATE INDEX mcp_servers_owner_created ON mcp_servers (owner_id, created_at, id);
        """

    static func register(_ host: PluginHost) throws {
        try host.migration(1, servers)
    }
}
