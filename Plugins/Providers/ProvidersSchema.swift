import PluginKit

/// The providers plugin's table (portable SQL). `api_key` holds the key sealed by the host's
/// secrets service, bound to the row id; `available_models` is the JSON list the last
/// validation found.
enum ProvidersSchema {
    static let providers = """
        CREATE TABLE providers_providers (
            id TEXT PRIMARY KEY,
            owner_id TEXT NOT NULL,
            provider TEXT NOT NULL,
            name TEXT NOT NULL,
            base_url TEXT NOT NULL,
            org_id TEXT,
            api_key TEXT NOT NULL,
            enabled INTEGER NOT NULL,
            is_default INTEGER NOT NULL,
            status TEXT NOT NULL,
            last_error TEXT,
            available_models TEXT NOT NULL,
            last_validated TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX providers_providers_owner_created ON providers_providers (owner_id, created_at, id);
        CREATE INDEX providers_providers_owner_kind ON providers_providers (owner_id, provider, is_default);
        """

    static func register(_ host: PluginHost) throws {
        try host.migration(1, providers)
    }
}
