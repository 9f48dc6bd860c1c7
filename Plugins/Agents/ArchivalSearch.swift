import Foundation

/// Archival memory's table and its SQLite FTS5 full-text index: the one SQLite-specific part
/// of the agents plugin (a PostgreSQL backend would use an identity column and a tsvector
/// index here, behind the same queries' shapes).
///
/// `seq` is an INTEGER PRIMARY KEY (SQLite's stable rowid alias, kept across VACUUM) that the
/// external-content FTS table indexes; triggers keep the index in step with every insert,
/// update and delete, including the cascade when an agent is deleted.
enum ArchivalSearch {
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

        CREATE VIRTUAL TABLE agents_archival_fts USING fts5(
            label, content, content = 'agents_archival_items', content_rowid = 'seq',
            tokenize = 'unicode61 remove_diacritics 2'
        );
        CREATE TRIGGER agents_archival_items_fts_insert AFTER INSERT ON agents_archival_items BEGIN
            INSERT INTO agents_archival_fts (rowid, label, content) VALUES (new.seq, new.label, new.content);
        END;
        CREATE TRIGGER agents_archival_items_fts_delete AFTER DELETE ON agents_archival_items BEGIN
            INSERT INTO agents_archival_fts (agents_archival_fts, rowid, label, content)
                VALUES ('delete', old.seq, old.label, old.content);
        END;
        CREATE TRIGGER agents_archival_items_fts_update AFTER UPDATE ON agents_archival_items BEGIN
            INSERT INTO agents_archival_fts (agents_archival_fts, rowid, label, content)
                VALUES ('delete', old.seq, old.label, old.content);
            INSERT INTO agents_archival_fts (rowid, label, content) VALUES (new.seq, new.label, new.content);
        END;
        """

    static let columns = "i.id, i.label, i.content, i.metadata, i.created_at"

    /// Matching items of one agent, best match first: parameters (match, agent_id, limit, offset).
    static let searchSQL = """
        SELECT \(columns) FROM agents_archival_fts f JOIN agents_archival_items i ON i.seq = f.rowid
        WHERE agents_archival_fts MATCH ? AND i.agent_id = ?
        ORDER BY bm25(agents_archival_fts), i.seq LIMIT ? OFFSET ?
        """

    /// How many items of one agent match: parameters (match, agent_id).
    static let searchCountSQL = """
        SELECT COUNT(*) FROM agents_archival_fts f JOIN agents_archival_items i ON i.seq = f.rowid
        WHERE agents_archival_fts MATCH ? AND i.agent_id = ?
        """

    /// A user's free text as an FTS5 query that cannot be a syntax error: every word becomes a
    /// quoted term (quotes doubled), all of which must match; the last also matches as a
    /// prefix. nil when the text holds no word.
    static func matchExpression(_ text: String) -> String? {
        let words = text.split(whereSeparator: { $0.isWhitespace }).prefix(32)
        guard !words.isEmpty else { return nil }
        return words.enumerated().map { index, word in
            let quoted = "\"" + word.replacingOccurrences(of: "\"", with: "\"\"") + "\""
            return index == words.count - 1 ? quoted + " *" : quoted
        }.joined(separator: " ")
    }
}
