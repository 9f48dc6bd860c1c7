import PluginKit

/// The SQL behind memory: core blocks in `agents_memory_blocks`, archival items in
/// `agents_archival_items` (searched through `ArchivalSearch`).
struct MemoryStore: Sendable {
    let database: DatabaseClient

    private static let blockColumns = "agent_id, memory_key, memory_type, content, version, created_at, updated_at"

    func blocks(agentID: String) throws(DatabaseFailure) -> [MemoryBlock] {
        try database.execute(
            "SELECT \(Self.blockColumns) FROM agents_memory_blocks WHERE agent_id = ? ORDER BY memory_key",
            [.text(agentID)]
        ).rows.map(Self.block)
    }

    func block(agentID: String, key: String, in executor: any SQLExecutor) throws(DatabaseFailure) -> MemoryBlock? {
        try executor.execute(
            "SELECT \(Self.blockColumns) FROM agents_memory_blocks WHERE agent_id = ? AND memory_key = ?",
            [.text(agentID), .text(key)]
        ).rows.first.map(Self.block)
    }

    /// Stores `block` as the next version after `previous` (nil: the block is new). The
    /// UPDATE only applies while the row is still at `previous.version`, so a lost race can
    /// never overwrite a newer version; it returns nil then.
    func write(_ block: MemoryBlock, replacing previous: MemoryBlock?, in executor: any SQLExecutor)
        throws(DatabaseFailure) -> MemoryBlock?
    {
        guard let previous else {
            var created = block
            created.version = 1
            created.createdAt = block.updatedAt
            _ = try executor.execute("""
                INSERT INTO agents_memory_blocks (agent_id, memory_key, memory_type, content, version, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """, [.text(created.agentID), .text(created.memoryKey), .text(created.memoryType), .text(created.content),
                      .integer(1), .text(created.createdAt), .text(created.updatedAt)])
            return created
        }
        let changed = try executor.execute("""
            UPDATE agents_memory_blocks SET content = ?, version = version + 1, updated_at = ?
            WHERE agent_id = ? AND memory_key = ? AND version = ?
            """, [.text(block.content), .text(block.updatedAt), .text(previous.agentID), .text(previous.memoryKey),
                  .integer(previous.version)]).changes
        guard changed == 1 else { return nil }
        var updated = previous
        updated.content = block.content
        updated.updatedAt = block.updatedAt
        updated.version = previous.version + 1
        return updated
    }

    // MARK: Archival

    private static let itemColumns = "id, label, content, metadata, created_at"

    func insertArchival(_ item: ArchivalItem, agentID: String, in executor: any SQLExecutor) throws(DatabaseFailure) {
        _ = try executor.execute("""
            INSERT INTO agents_archival_items (id, agent_id, label, content, metadata, created_at) VALUES (?, ?, ?, ?, ?, ?)
            """, [.text(item.id), .text(agentID), item.label.map { .text($0) } ?? .null, .text(item.content),
                  .text(item.metadata.jsonText), .text(item.createdAt)])
    }

    /// Removes and returns the newest archival item with `label`, nil when there is none.
    func takeArchival(agentID: String, label: String, in executor: any SQLExecutor) throws(DatabaseFailure) -> ArchivalItem? {
        let rows = try executor.execute("""
            SELECT \(Self.itemColumns) FROM agents_archival_items WHERE agent_id = ? AND label = ?
            ORDER BY created_at DESC, seq DESC LIMIT 1
            """, [.text(agentID), .text(label)])
        guard let item = rows.rows.first.map(Self.item) else { return nil }
        _ = try executor.execute("DELETE FROM agents_archival_items WHERE id = ?", [.text(item.id)])
        return item
    }

    /// One page of an agent's archival items: all of them oldest first (or newest first), or
    /// those matching `query`, best match first.
    func archival(agentID: String, query: String?, page: PageRequest) throws(DatabaseFailure) -> (items: [ArchivalItem], total: Int) {
        let window: [SQLValue] = [.integer(Int64(page.limit)), .integer(Int64(page.offset))]
        if let query, let match = SearchIndex.matchExpression(query) {
            let total = try database.execute(ArchivalSearch.searchCountSQL, [.text(match), .text(agentID)])
                .rows.first?.first?.integer ?? 0
            let rows = try database.execute(ArchivalSearch.searchSQL, [.text(match), .text(agentID)] + window)
            return (rows.rows.map(Self.item), Int(total))
        }
        let direction = page.sortDescending ? "DESC" : "ASC"
        let total = try database.execute("SELECT COUNT(*) FROM agents_archival_items WHERE agent_id = ?", [.text(agentID)])
            .rows.first?.first?.integer ?? 0
        let rows = try database.execute("""
            SELECT \(Self.itemColumns) FROM agents_archival_items WHERE agent_id = ?
            ORDER BY created_at \(direction), seq \(direction) LIMIT ? OFFSET ?
            """, [.text(agentID)] + window)
        return (rows.rows.map(Self.item), Int(total))
    }

    private static func block(_ row: [SQLValue]) -> MemoryBlock {
        MemoryBlock(agentID: row[0].string ?? "", memoryKey: row[1].string ?? "", memoryType: row[2].string ?? "core",
                    content: row[3].string ?? "", version: row[4].integer ?? 0, createdAt: row[5].string ?? "",
                    updatedAt: row[6].string ?? "")
    }

    private static func item(_ row: [SQLValue]) -> ArchivalItem {
        ArchivalItem(id: row[0].string ?? "", label: row[1].string, content: row[2].string ?? "",
                     createdAt: row[4].string ?? "", metadata: JSONValue(parsing: row[3].string ?? "{}") ?? [:])
    }
}
