import PluginKit

/// Seals and opens `MCPServerSecrets` for the store, and re-seals every row on key rotation.
struct MCPSecretsVault: Sendable {
    let secrets: Secrets
    let store: MCPServerStore

    private static func associatedData(_ id: String) -> String { "mcp:\(id):secrets" }

    func seal(_ value: MCPServerSecrets, id: String) throws(SecretsError) -> String {
        try secrets.seal(value.json.jsonText, associatedData: Self.associatedData(id))
    }

    func open(_ sealed: String, id: String) throws(SecretsError) -> MCPServerSecrets {
        let plain = try secrets.open(sealed, associatedData: Self.associatedData(id))
        return MCPServerSecrets(json: JSONValue(parsing: plain) ?? [:])
    }

    func registerRotation() throws {
        let store = store
        try secrets.onRotate { [self] in
            try store.database.transaction { transaction in
                for row in try store.sealedSecrets(in: transaction) {
                    try store.setSealedSecrets(try seal(try open(row.sealed, id: row.id), id: row.id), id: row.id,
                                               in: transaction)
                }
            }
        }
    }
}
