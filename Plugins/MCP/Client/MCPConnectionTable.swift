import PluginKit
import Synchronization

/// The live connections of every enabled registration, by server id, and the plugin's one
/// clock that drives them (deadlines, reconnections, pings): a host timer, so the first
/// connections start once the host serves (a child cannot be spawned during setUp).
final class MCPConnectionTable: Sendable {
    private let host: PluginHost
    private let config: MCPConfig
    private let client: HTTPClient?
    private let connections = Mutex<[String: MCPConnection]>([:])

    /// How often the clock looks at the connections.
    static let tickMilliseconds: UInt64 = 200

    init(host: PluginHost, config: MCPConfig, client: HTTPClient?) {
        self.host = host
        self.config = config
        self.client = client
    }

    func startClock() throws {
        let started = host.timer(afterMilliseconds: Self.tickMilliseconds, everyMilliseconds: Self.tickMilliseconds) {
            [self] _ in
            let now = ContinuousClock.now
            for connection in connections.withLock({ Array($0.values) }) { connection.tick(now) }
        }
        guard started != nil else { throw ClientNeedsNewerHost() }
    }

    func connection(_ serverID: String) -> MCPConnection? {
        connections.withLock { $0[serverID] }
    }

    /// Connects `registration` (its first attempt starts on the next tick), replacing and
    /// stopping any connection it had.
    @discardableResult
    func start(_ registration: MCPServerRegistration, secrets: MCPServerSecrets) -> MCPConnection {
        let connection = MCPConnection(serverID: registration.id, autoReconnect: registration.autoReconnect, host: host,
                                       limits: config, makeTransport: transportMaker(registration.transport, secrets))
        connections.withLock { $0.updateValue(connection, forKey: registration.id) }?.stop(reason: "the server was restarted")
        return connection
    }

    func stop(_ serverID: String, reason: String) {
        connections.withLock { $0.removeValue(forKey: serverID) }?.stop(reason: reason)
    }

    func stopAll() {
        for connection in connections.withLock({ table in defer { table = [:] }; return Array(table.values) }) {
            connection.stop(reason: "the server is shutting down")
        }
    }

    /// What the registry shows: a disabled server has no connection.
    func snapshot(_ serverID: String) -> MCPConnection.Snapshot {
        connection(serverID)?.snapshot ?? MCPConnection.Snapshot(status: .disconnected, tools: [])
    }

    private func transportMaker(_ transport: MCPServerRegistration.Transport, _ secrets: MCPServerSecrets)
        -> MCPConnection.TransportMaker
    {
        let host = host
        let config = config
        let client = client
        switch transport {
        case .stdio(let command, let arguments):
            return { events throws(MCPConnectionError) in
                // The operator may have taken the command off the list since it was registered.
                guard config.stdioCommands.contains(command) else {
                    throw MCPConnectionError(description: "\(command) is not in [mcp] stdio_commands", retryable: false)
                }
                return StdioTransport(host: host, command: command, arguments: arguments, environment: secrets.environment,
                                      maxMessageBytes: config.maxMessageBytes, events: events)
            }
        case .http(let url):
            return { events throws(MCPConnectionError) in
                guard let client else {
                    throw MCPConnectionError(description: "this host has no outbound HTTP client", retryable: false)
                }
                return StreamableHTTPTransport(
                    client: client, url: url, headers: secrets.headers, maxMessageBytes: config.maxMessageBytes,
                    timeoutMilliseconds: UInt32(max(config.callTimeoutSeconds, config.connectTimeoutSeconds)) * 1000,
                    events: events)
            }
        }
    }
}
