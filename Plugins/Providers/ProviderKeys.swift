import PluginKit

/// Provider keys at rest: sealed by the host's secrets service, bound to their row
/// ("providers:<id>:api_key"), re-sealed when `pattern-server secrets rotate-key` runs.
/// A key is opened only to call its provider; it is never returned or logged.
struct ProviderKeys: Sendable {
    let secrets: Secrets
    let store: ProviderStore

    private static func associatedData(_ id: String) -> String { "providers:\(id):api_key" }

    func seal(_ apiKey: String, id: String) throws(SecretsError) -> String {
        try secrets.seal(apiKey, associatedData: Self.associatedData(id))
    }

    func open(_ sealed: String, id: String) throws(SecretsError) -> String {
        String(decoding: try secrets.open(sealed, associatedData: Self.associatedData(id)), as: UTF8.self)
    }

    /// The stored key of provider `id`.
    func key(of id: String) throws -> String {
        guard let sealed = try store.sealedKey(id: id) else { throw SecretsError.Missing() }
        return try open(sealed, id: id)
    }

    func registerRotation() throws {
        let store = store
        try secrets.onRotate { [self] in
            try store.database.transaction { transaction in
                for row in try store.sealedKeys(in: transaction) {
                    let key = try open(row.sealed, id: row.id)
                    try store.setSealedKey(try seal(key, id: row.id), id: row.id, in: transaction)
                }
            }
        }
    }
}

extension SecretsError {
    /// A provider row vanished between finding it and opening its key.
    struct Missing: Error, CustomStringConvertible {
        var description: String { "the provider's key is gone (deleted meanwhile)" }
    }
}
