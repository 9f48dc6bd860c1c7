import PluginKit

/// The chat plugin's table: every stored message, in the order it was stored (`seq`), with
/// its full-text index (PluginKit's `SearchIndex`). Agents and groups are named by id only:
/// they live in other plugins, so there is no foreign key; `agent.deleted` removes an agent's
/// messages instead.
enum ChatSchema {
    static let search = SearchIndex(name: "chat_messages_fts", table: "chat_messages", rowID: "seq", columns: ["text"])

    /// `content` is the tagged JSON answered to clients; `text` is its plain text, which the
    /// index searches and the model reads.
    static let messages = """
        CREATE TABLE chat_messages (
            seq INTEGER PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,
            owner_id TEXT NOT NULL,
            agent_id TEXT,
            group_id TEXT,
            role TEXT NOT NULL,
            content TEXT NOT NULL,
            text TEXT NOT NULL,
            tool_calls TEXT,
            tool_results TEXT,
            metadata TEXT NOT NULL,
            created_at TEXT NOT NULL
        );
        CREATE INDEX chat_messages_agent ON chat_messages (agent_id, seq);
        CREATE INDEX chat_messages_group ON chat_messages (group_id, seq);
        CREATE INDEX chat_messages_owner ON chat_messages (owner_id, seq);
        """ + search.schema

    static func register(_ host: PluginHost) throws {
        try host.migration(1, messages)
    }
}
