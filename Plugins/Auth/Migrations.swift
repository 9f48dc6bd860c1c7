/// The plugin's tables, in the SQL subset SQLite and PostgreSQL share. Times are Unix
/// milliseconds; booleans are 0/1 integers; permission lists are JSON arrays of strings.
enum Migrations {
    static let all: [String] = [
        """
        CREATE TABLE auth_users (
            id TEXT PRIMARY KEY,
            username TEXT NOT NULL,
            username_key TEXT NOT NULL UNIQUE,
            password_hash TEXT NOT NULL,
            email TEXT,
            display_name TEXT,
            is_admin INTEGER NOT NULL DEFAULT 0,
            is_active INTEGER NOT NULL DEFAULT 1,
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL
        );
        CREATE INDEX auth_users_created ON auth_users (created_at);

        CREATE TABLE auth_api_keys (
            id TEXT PRIMARY KEY,
            user_id TEXT NOT NULL,
            name TEXT NOT NULL,
            key_hash TEXT NOT NULL UNIQUE,
            key_prefix TEXT NOT NULL,
            permissions TEXT NOT NULL,
            rate_limit BIGINT,
            enabled INTEGER NOT NULL DEFAULT 1,
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL,
            expires_at BIGINT,
            last_used_at BIGINT
        );
        CREATE INDEX auth_api_keys_user ON auth_api_keys (user_id, created_at);

        CREATE TABLE auth_refresh_families (
            id TEXT PRIMARY KEY,
            user_id TEXT NOT NULL,
            api_key_id TEXT,
            permissions TEXT NOT NULL,
            created_at BIGINT NOT NULL,
            expires_at BIGINT NOT NULL,
            revoked_at BIGINT,
            revoke_reason TEXT
        );
        CREATE INDEX auth_refresh_families_user ON auth_refresh_families (user_id);
        CREATE INDEX auth_refresh_families_key ON auth_refresh_families (api_key_id);

        CREATE TABLE auth_refresh_tokens (
            jti TEXT PRIMARY KEY,
            family_id TEXT NOT NULL,
            parent_jti TEXT,
            issued_at BIGINT NOT NULL,
            expires_at BIGINT NOT NULL,
            used_at BIGINT
        );
        CREATE INDEX auth_refresh_tokens_family ON auth_refresh_tokens (family_id);
        """,
        // 1 when an administrator set the key's rate_limit, so it may exceed the server's policy.
        "ALTER TABLE auth_api_keys ADD COLUMN rate_limit_granted_by_admin INTEGER NOT NULL DEFAULT 0;",
    ]
}
