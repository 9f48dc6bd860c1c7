import PluginKit

/// Archival memory's table and its full-text index (PluginKit's `SearchIndex`, SQLite FTS5
/// today; a PostgreSQL backend would use an identity column and its own index here, behind
/// the same queries' shapes).
///
/// `seq` is an INTEGER PRIMARY KEY (SQLite's stable rowid alias, kept across VACUUM) that the
/// index refers to; its triggers keep it in step with every insert, update and delete,
/// including the cascade when an agent is deleted.
enum ArchivalSearch {
    static let index = SearchIndex(name: "agents_archival_fts", table: "agents_archival_items", rowID: "seq",
                                   columns: ["label", "content"])

    /// Migration 2.
    static let schema = """
        CREATE TABLE agents_archival_items (
            seq INTEGER PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,
            agent_id TEXT NOT NULL REFERENCES agents_agents (id) ON DELETE CASCADE,
            label TEXT,
            content TEXT NOT NULL,
            metadata TEXT NOT NULL,
            created_at TEXT NOT NULL
        );
        CREATE INDEX agents_archival_items_agent_created ON agents_archival_items (agent_id, created_at, seq);
        CREATE INDEX agents_archival_items_agent_label ON agents_archival_items (agent_id, label, created_at);
        """ + index.schema

    static let columns = "i.id, i.label, i.content, i.metadata, i.created_at"

    /// Matching items of one agent, best match first: parameters (match, agent_id, limit, offset).
    static let searchSQL = """
        SELECT \(columns) FROM \(index.source(alias: "i"))
        WHERE \(index.match) AND i.agent_id = ?
        ORDER BY \(index.rank), i.seq LIMIT ? OFFSET ?
        """

    /// How many items of one agent match: parameters (match, agent_id).
    static let searchCountSQL = """
        SELECT COUNT(*) FROM \(index.source(alias: "i"))
        WHERE \(index.match) AND i.agent_id = ?
        """
}
