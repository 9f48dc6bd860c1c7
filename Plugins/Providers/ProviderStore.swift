import PluginKit

/// The SQL behind providers. Every read and write is scoped to its owner.
struct ProviderStore: Sendable {
    let database: DatabaseClient

    static let sortFields = ["created_at", "updated_at", "name"]
    /// The most providers one user keeps (beyond: 409).
    static let maxPerOwner = 64

    private static let columns = """
        id, owner_id, provider, name, base_url, org_id, enabled, is_default, status, last_error, available_models,
        last_validated, created_at, updated_at
        """

    func find(id: String, ownerID: String, in executor: any SQLExecutor) throws(DatabaseFailure) -> Provider? {
        try executor.execute("SELECT \(Self.columns) FROM providers_providers WHERE id = ? AND owner_id = ?",
                             [.text(id), .text(ownerID)]).rows.first.flatMap(Self.provider)
    }

    /// The owner's default provider of `kind`.
    func defaultProvider(kind: ProviderKind, ownerID: String) throws(DatabaseFailure) -> Provider? {
        try database.execute("""
            SELECT \(Self.columns) FROM providers_providers WHERE owner_id = ? AND provider = ? AND is_default = 1
            ORDER BY created_at, id LIMIT 1
            """, [.text(ownerID), .text(kind.rawValue)]).rows.first.flatMap(Self.provider)
    }

    func list(ownerID: String, page: PageRequest) throws(DatabaseFailure) -> (providers: [Provider], total: Int) {
        let found = try database.ownedPage(select: Self.columns, from: "providers_providers", ownerID: ownerID,
                                           active: "enabled", page)
        return (found.rows.compactMap(Self.provider), found.total)
    }

    func count(ownerID: String, in executor: any SQLExecutor) throws(DatabaseFailure) -> Int {
        Int(try executor.execute("SELECT COUNT(*) FROM providers_providers WHERE owner_id = ?", [.text(ownerID)])
            .rows.first?.first?.integer ?? 0)
    }

    func hasProvider(kind: ProviderKind, ownerID: String, in executor: any SQLExecutor) throws(DatabaseFailure) -> Bool {
        try !executor.execute("SELECT 1 FROM providers_providers WHERE owner_id = ? AND provider = ? LIMIT 1",
                              [.text(ownerID), .text(kind.rawValue)]).rows.isEmpty
    }

    func insert(_ provider: Provider, sealedKey: String, in executor: any SQLExecutor) throws(DatabaseFailure) {
        _ = try executor.execute("""
            INSERT INTO providers_providers (id, owner_id, provider, name, base_url, org_id, api_key, enabled, is_default,
                status, last_error, available_models, last_validated, created_at, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [.text(provider.id), .text(provider.ownerID), .text(provider.kind.rawValue), .text(provider.name),
                  .text(provider.baseURL), Self.optional(provider.orgID), .text(sealedKey), .integer(provider.enabled ? 1 : 0),
                  .integer(provider.isDefault ? 1 : 0)] + Self.validationValues(provider.validation)
                + [.text(provider.createdAt), .text(provider.updatedAt)])
    }

    /// Writes everything but the id, owner, kind and key.
    func update(_ provider: Provider, in executor: any SQLExecutor) throws(DatabaseFailure) -> Bool {
        try executor.execute("""
            UPDATE providers_providers SET name = ?, base_url = ?, org_id = ?, enabled = ?, is_default = ?, status = ?,
                last_error = ?, available_models = ?, last_validated = ?, updated_at = ?
            WHERE id = ? AND owner_id = ?
            """, [.text(provider.name), .text(provider.baseURL), Self.optional(provider.orgID),
                  .integer(provider.enabled ? 1 : 0), .integer(provider.isDefault ? 1 : 0)]
                + Self.validationValues(provider.validation)
                + [.text(provider.updatedAt), .text(provider.id), .text(provider.ownerID)]).changes == 1
    }

    func setSealedKey(_ sealed: String, id: String, in executor: any SQLExecutor) throws(DatabaseFailure) {
        _ = try executor.execute("UPDATE providers_providers SET api_key = ? WHERE id = ?", [.text(sealed), .text(id)])
    }

    func sealedKey(id: String) throws(DatabaseFailure) -> String? {
        try database.execute("SELECT api_key FROM providers_providers WHERE id = ?", [.text(id)]).rows.first?.first?.string
    }

    /// Every row's sealed key, for re-sealing under a new key-encryption key.
    func sealedKeys(in executor: any SQLExecutor) throws(DatabaseFailure) -> [(id: String, sealed: String)] {
        try executor.execute("SELECT id, api_key FROM providers_providers ORDER BY id", []).rows.map { row in
            (id: row[0].string ?? "", sealed: row[1].string ?? "")
        }
    }

    /// Makes `id` the owner's only default of its kind (or just clears the others).
    func clearDefaults(kind: ProviderKind, ownerID: String, except id: String,
                       in executor: any SQLExecutor) throws(DatabaseFailure) {
        _ = try executor.execute("""
            UPDATE providers_providers SET is_default = 0 WHERE owner_id = ? AND provider = ? AND id <> ? AND is_default = 1
            """, [.text(ownerID), .text(kind.rawValue), .text(id)])
    }

    func delete(id: String, ownerID: String, in executor: any SQLExecutor) throws(DatabaseFailure) -> Provider? {
        guard let provider = try find(id: id, ownerID: ownerID, in: executor) else { return nil }
        _ = try executor.execute("DELETE FROM providers_providers WHERE id = ? AND owner_id = ?", [.text(id), .text(ownerID)])
        return provider
    }

    /// After the default of a kind is deleted, the oldest remaining provider of that kind takes
    /// its place, so "openai" keeps meaning something while the user has one.
    func promoteOldest(kind: ProviderKind, ownerID: String, in executor: any SQLExecutor) throws(DatabaseFailure) {
        _ = try executor.execute("""
            UPDATE providers_providers SET is_default = 1 WHERE id = (
                SELECT id FROM providers_providers WHERE owner_id = ? AND provider = ? ORDER BY created_at, id LIMIT 1)
            """, [.text(ownerID), .text(kind.rawValue)])
    }

    private static func optional(_ text: String?) -> SQLValue { text.map { .text($0) } ?? .null }

    private static func validationValues(_ validation: Provider.Validation) -> [SQLValue] {
        [.text(validation.status), optional(validation.lastError),
         .text(JSONValue.array(validation.availableModels.map(\.json)).jsonText), optional(validation.lastValidated)]
    }

    private static func provider(_ row: [SQLValue]) -> Provider? {
        guard let kind = ProviderKind(rawValue: row[2].string ?? "") else { return nil }
        let models = JSONValue(parsing: row[10].string ?? "[]")?.arrayValue?.compactMap(AvailableModel.init(stored:)) ?? []
        return Provider(
            id: row[0].string ?? "", ownerID: row[1].string ?? "", kind: kind, name: row[3].string ?? "",
            baseURL: row[4].string ?? kind.defaultBaseURL, orgID: row[5].string, enabled: row[6].integer != 0,
            isDefault: row[7].integer != 0,
            validation: .init(status: row[8].string ?? "error", lastError: row[9].string, availableModels: models,
                              lastValidated: row[11].string),
            createdAt: row[12].string ?? "", updatedAt: row[13].string ?? "")
    }
}
