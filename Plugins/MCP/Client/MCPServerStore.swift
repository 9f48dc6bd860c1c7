import PluginKit

/// The SQL behind the registry. Every read and write by a user is scoped to its owner.
struct MCPServerStore: Sendable {
    let database: DatabaseClient

    static let sortFields = ["created_at", "updated_at", "name"]

    private static let columns = "id, owner_id, name, description, transport, auto_reconnect, enabled, created_at, updated_at"

    func find(id: String, ownerID: String, in executor: any SQLExecutor) throws(DatabaseFailure) -> MCPServerRegistration? {
        try executor.execute("SELECT \(Self.columns) FROM mcp_servers WHERE id = ? AND owner_id = ?",
                             [.text(id), .text(ownerID)]).rows.first.flatMap(Self.registration)
    }

    func find(name: String, ownerID: String) throws(DatabaseFailure) -> MCPServerRegistration? {
        try database.execute("SELECT \(Self.columns) FROM mcp_servers WHERE owner_id = ? AND name = ?",
                             [.text(ownerID), .text(name)]).rows.first.flatMap(Self.registration)
    }

    /// Every enabled registration, to connect at start.
    func enabled() throws(DatabaseFailure) -> [MCPServerRegistration] {
        try database.execute("SELECT \(Self.columns) FROM mcp_servers WHERE enabled = 1 ORDER BY created_at, id", [])
            .rows.compactMap(Self.registration)
    }

    func list(ownerID: String, page: PageRequest) throws(DatabaseFailure) -> (servers: [MCPServerRegistration], total: Int) {
        let found = try database.ownedPage(select: Self.columns, from: "mcp_servers", ownerID: ownerID, active: "enabled",
                                           page)
        return (found.rows.compactMap(Self.registration), found.total)
    }

    func count(ownerID: String, in executor: any SQLExecutor) throws(DatabaseFailure) -> Int {
        Int(try executor.execute("SELECT COUNT(*) FROM mcp_servers WHERE owner_id = ?", [.text(ownerID)])
            .rows.first?.first?.integer ?? 0)
    }

    func insert(_ server: MCPServerRegistration, sealedSecrets: String, in executor: any SQLExecutor) throws(DatabaseFailure) {
        _ = try executor.execute("""
            INSERT INTO mcp_servers (id, owner_id, name, description, transport, secrets, auto_reconnect, enabled,
                created_at, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [.text(server.id), .text(server.ownerID), .text(server.name), server.description.map { .text($0) } ?? .null,
                  .text(server.transport.json.jsonText), .text(sealedSecrets), .integer(server.autoReconnect ? 1 : 0),
                  .integer(server.enabled ? 1 : 0), .text(server.createdAt), .text(server.updatedAt)])
    }

    /// Writes the name, description and the two switches.
    func update(_ server: MCPServerRegistration, in executor: any SQLExecutor) throws(DatabaseFailure) -> Bool {
        try executor.execute("""
            UPDATE mcp_servers SET name = ?, description = ?, auto_reconnect = ?, enabled = ?, updated_at = ?
            WHERE id = ? AND owner_id = ?
            """, [.text(server.name), server.description.map { .text($0) } ?? .null, .integer(server.autoReconnect ? 1 : 0),
                  .integer(server.enabled ? 1 : 0), .text(server.updatedAt), .text(server.id), .text(server.ownerID)])
            .changes == 1
    }

    func delete(id: String, ownerID: String) throws(DatabaseFailure) -> Bool {
        try database.execute("DELETE FROM mcp_servers WHERE id = ? AND owner_id = ?", [.text(id), .text(ownerID)]).changes == 1
    }

    func sealedSecrets(id: String) throws(DatabaseFailure) -> String? {
        try database.execute("SELECT secrets FROM mcp_servers WHERE id = ?", [.text(id)]).rows.first?.first?.string
    }

    func setSealedSecrets(_ sealed: String, id: String, in executor: any SQLExecutor) throws(DatabaseFailure) {
        _ = try executor.execute("UPDATE mcp_servers SET secrets = ? WHERE id = ?", [.text(sealed), .text(id)])
    }

    /// Every row's sealed secrets, for re-sealing under a new key-encryption key.
    func sealedSecrets(in executor: any SQLExecutor) throws(DatabaseFailure) -> [(id: String, sealed: String)] {
        try executor.execute("SELECT id, secrets FROM mcp_servers ORDER BY id", []).rows.map { row in
            (id: row[0].string ?? "", sealed: row[1].string ?? "")
        }
    }

    private static func registration(_ row: [SQLValue]) -> MCPServerRegistration? {
        guard let transport = JSONValue(parsing: row[4].string ?? "").flatMap(MCPServerRegistration.Transport.init(stored:))
        else { return nil }
        return MCPServerRegistration(
            id: row[0].string ?? "", ownerID: row[1].string ?? "", name: row[2].string ?? "", description: row[3].string,
            transport: transport, autoReconnect: row[5].integer != 0, enabled: row[6].integer != 0,
            createdAt: row[7].string ?? "", updatedAt: row[8].string ?? "")
    }
}
