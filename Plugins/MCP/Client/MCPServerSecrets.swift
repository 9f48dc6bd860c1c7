import PluginKit

/// The secret part of a registration: a stdio server's environment, an HTTP server's extra
/// headers. Sealed as one JSON object by the host's secrets service, bound to the row
/// ("mcp:<id>:secrets"), re-sealed when `pattern-server secrets rotate-key` runs. Opened only
/// to connect; never returned or logged, names included.
struct MCPServerSecrets: Sendable, Equatable {
    var environment: [String: String] = [:]
    var headers: [(name: String, value: String)] = []

    static func == (lhs: MCPServerSecrets, rhs: MCPServerSecrets) -> Bool {
        lhs.environment == rhs.environment && lhs.headers.elementsEqual(rhs.headers) { $0 == $1 }
    }

    var json: JSONValue {
        ["env": .object(environment.mapValues { .string($0) }),
         "headers": .array(headers.map { ["name": .string($0.name), "value": .string($0.value)] })]
    }

    init(environment: [String: String] = [:], headers: [(name: String, value: String)] = []) {
        self.environment = environment
        self.headers = headers
    }

    init(json: JSONValue) {
        environment = (json["env"]?.objectValue ?? [:]).compactMapValues(\.stringValue)
        headers = (json["headers"]?.arrayValue ?? []).compactMap { entry in
            guard let name = entry["name"]?.stringValue, let value = entry["value"]?.stringValue else { return nil }
            return (name, value)
        }
    }
}

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
