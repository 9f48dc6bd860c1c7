import PluginKit

/// The agents plugin's tables, in portable SQL (SQLite and PostgreSQL). Archival memory and
/// its full-text index are SQLite-specific and live in `ArchivalSearch`.
enum AgentsSchema {
    /// Migration 1: agents, core memory blocks, and a messages placeholder (dropped by migration 3).
    static let agents = """
        CREATE TABLE agents_agents (
            id TEXT PRIMARY KEY,
            owner_id TEXT NOT NULL,
            name TEXT NOT NULL,
            agent_type TEXT NOT NULL,
            description TEXT,
            system_prompt TEXT,
            state TEXT NOT NULL,
            is_active INTEGER NOT NULL,
            model_provider TEXT,
            model_id TEXT,
            tools TEXT NOT NULL,
            metadata TEXT NOT NULL,
            message_count INTEGER NOT NULL DEFAULT 0,
            last_active_at TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            UNIQUE (owner_id, name)
        );
        CREATE INDEX agents_agents_owner_created ON agents_agents (owner_id, created_at, id);
        CREATE INDEX agents_agents_owner_updated ON agents_agents (owner_id, updated_at, id);

        CREATE TABLE agents_memory_blocks (
            agent_id TEXT NOT NULL REFERENCES agents_agents (id) ON DELETE CASCADE,
            memory_key TEXT NOT NULL,
            memory_type TEXT NOT NULL,
            content TEXT NOT NULL,
            version INTEGER NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            PRIMARY KEY (agent_id, memory_key)
        );

        CREATE TABLE agents_messages (
            id TEXT PRIMARY KEY,
            owner_id TEXT NOT NULL,
            agent_id TEXT REFERENCES agents_agents (id) ON DELETE CASCADE,
            group_id TEXT,
            role TEXT NOT NULL,
            content TEXT NOT NULL,
            tool_calls TEXT,
            tool_results TEXT,
            metadata TEXT NOT NULL,
            input_tokens INTEGER,
            output_tokens INTEGER,
            model TEXT,
            created_at TEXT NOT NULL
        );
        CREATE INDEX agents_messages_agent_created ON agents_messages (agent_id, created_at, id);
        CREATE INDEX agents_messages_group_created ON agents_messages (group_id, created_at, id);
        CREATE INDEX agents_messages_owner_created ON agents_messages (owner_id, created_at, id);
        """

    /// Migration 3: messages belong to the chat plugin (`chat_messages`); the placeholder
    /// table migration 1 created here was never written to.
    static let dropMessages = """
        DROP INDEX IF EXISTS agents_messages_agent_created;
        DROP INDEX IF EXISTS agents_messages_group_created;
        DROP INDEX IF EXISTS agents_messages_owner_created;
        DROP TABLE IF EXISTS agents_messages;
        """

    static func register(_ host: PluginHost) throws {
        try host.migration(1, agents)
        try host.migration(2, ArchivalSearch.schema)
        try host.migration(3, dropMessages)
    }
}
