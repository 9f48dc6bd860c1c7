import PluginKit
import Synchronization

/// The MCP plugin: agents use their users' MCP servers (stdio children and Streamable HTTP
/// endpoints, offered to chat through the "mcp.v1" service), and the server is itself an MCP
/// server at /mcp whose tools are the REST API's operations under the caller's permissions.
enum MCPPlugin: PatternPlugin {
    static let name = "mcp"
    static let version = "1.0.0"
    static let summary = "MCP: users' MCP servers as agent tools, and /mcp as an MCP server"
    static let requires = ["auth"]

    /// The users' servers' connections, stopped at shutdown.
    private static let clients = Mutex<MCPConnectionTable?>(nil)

    static func setUp(_ host: PluginHost) throws {
        let connections = try MCPClient.setUp(host)
        clients.withLock { $0 = connections }
        try MCPEndpoint.start(host, serverVersion: version)
        host.reportHealth(.ok)
    }

    static func shutDown() {
        clients.withLock { $0 }?.stopAll()
    }
}

@c(pattern_plugin_entry_v1)
public func patternPluginEntry() -> UnsafeRawPointer { PluginExport.descriptor(for: MCPPlugin.self) }
