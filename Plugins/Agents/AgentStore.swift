import PluginKit

/// The SQL behind agents: one row of `agents_agents` per agent. Reads take any executor (the
/// database, or a transaction that must see its own writes).
struct AgentStore: Sendable {
    let database: DatabaseClient

    static let sortFields = ["created_at", "updated_at", "name", "last_active_at", "message_count"]

    /// Where a list row carries the total, after the agent's columns.

    private static let columns = """
        id, owner_id, name, agent_type, description, system_prompt, state, model_provider, model_id, \
        tools, metadata, message_count, last_active_at, created_at, updated_at
        """

    func find(id: String, ownerID: String?, in executor: any SQLExecutor) throws(DatabaseFailure) -> Agent? {
        let rows: SQLRows
        if let ownerID {
            rows = try executor.execute("SELECT \(Self.columns) FROM agents_agents WHERE id = ? AND owner_id = ?",
                                        [.text(id), .text(ownerID)])
        } else {
            rows = try executor.execute("SELECT \(Self.columns) FROM agents_agents WHERE id = ?", [.text(id)])
        }
        return rows.rows.first.map(Self.agent)
    }

    func find(name: String, ownerID: String) throws(DatabaseFailure) -> Agent? {
        try database.execute("SELECT \(Self.columns) FROM agents_agents WHERE owner_id = ? AND name = ?",
                             [.text(ownerID), .text(name)]).rows.first.map(Self.agent)
    }

    func exists(id: String, ownerID: String, in executor: any SQLExecutor) throws(DatabaseFailure) -> Bool {
        try !executor.execute("SELECT 1 FROM agents_agents WHERE id = ? AND owner_id = ?",
                              [.text(id), .text(ownerID)]).rows.isEmpty
    }

    /// One page of an owner's agents and the total that match the filter.
    func list(ownerID: String, page: PageRequest) throws(DatabaseFailure) -> (agents: [Agent], total: Int) {
        let found = try database.ownedPage(
            select: Self.columns, from: "agents_agents", ownerID: ownerID, active: "is_active",
            extraSorts: ["last_active_at": { "last_active_at IS NULL, last_active_at \($0)" }, "message_count": { "message_count \($0)" }],
            page)
        return (found.rows.map(Self.agent), found.total)
    }

    func insert(_ agent: Agent, in executor: any SQLExecutor) throws(DatabaseFailure) {
        _ = try executor.execute("""
            INSERT INTO agents_agents (id, owner_id, name, agent_type, description, system_prompt, state, is_active,
                model_provider, model_id, tools, metadata, message_count, last_active_at, created_at, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [.text(agent.id), .text(agent.ownerID)] + Self.mutableValues(agent) + [
                .integer(agent.messageCount), Self.optional(agent.lastActiveAt), .text(agent.createdAt),
                .text(agent.updatedAt),
            ])
    }

    /// Writes every changeable field of `agent` (found by id and owner); false when it is gone.
    func update(_ agent: Agent, in executor: any SQLExecutor) throws(DatabaseFailure) -> Bool {
        try executor.execute("""
            UPDATE agents_agents SET name = ?, agent_type = ?, description = ?, system_prompt = ?, state = ?,
                is_active = ?, model_provider = ?, model_id = ?, tools = ?, metadata = ?, updated_at = ?
            WHERE id = ? AND owner_id = ?
            """, Self.mutableValues(agent) + [.text(agent.updatedAt), .text(agent.id), .text(agent.ownerID)]
        ).changes == 1
    }

    /// Deletes the agent (its memory and messages go with it); false when there was none.
    func delete(id: String, ownerID: String, in executor: any SQLExecutor) throws(DatabaseFailure) -> Bool {
        try executor.execute("DELETE FROM agents_agents WHERE id = ? AND owner_id = ?", [.text(id), .text(ownerID)])
            .changes == 1
    }

    /// Writes the state alone (not `updated_at`: the chat's own state changes are not edits of
    /// the agent); false when the agent is gone.
    func setState(id: String, to state: AgentState, in executor: any SQLExecutor) throws(DatabaseFailure) -> Bool {
        try executor.execute("UPDATE agents_agents SET state = ?, is_active = ? WHERE id = ?",
                             [.text(state.json.jsonText), .integer(state.isActive ? 1 : 0), .text(id)]).changes == 1
    }

    /// Agents left `processing` by a turn the server did not live to finish are ready again:
    /// only the chat plugin's turns set that state, and none survives a restart. How many.
    func readyAfterRestart() throws(DatabaseFailure) -> Int64 {
        try database.execute("UPDATE agents_agents SET state = ? WHERE state = ?",
                             [.text(AgentState.ready.json.jsonText), .text(AgentState.processing.json.jsonText)]).changes
    }

    /// message_count += messages, last_active_at = at; false when the agent is gone.
    func recordActivity(id: String, messages: Int64, at: String) throws(DatabaseFailure) -> Bool {
        try database.execute("UPDATE agents_agents SET message_count = message_count + ?, last_active_at = ? WHERE id = ?",
                             [.integer(messages), .text(at), .text(id)]).changes == 1
    }

    func count(ownerID: String?) throws(DatabaseFailure) -> Int64 {
        let rows = if let ownerID {
            try database.execute("SELECT COUNT(*) FROM agents_agents WHERE owner_id = ?", [.text(ownerID)])
        } else {
            try database.execute("SELECT COUNT(*) FROM agents_agents", [])
        }
        return rows.rows.first?.first?.integer ?? 0
    }

    // MARK: Rows

    /// name … metadata, in the order of the INSERT and UPDATE statements.
    private static func mutableValues(_ agent: Agent) -> [SQLValue] {
        [
            .text(agent.name), .text(agent.agentType), optional(agent.description), optional(agent.systemPrompt),
            .text(agent.state.json.jsonText), .integer(agent.state.isActive ? 1 : 0), optional(agent.modelProvider),
            optional(agent.modelID), .text(JSONValue.array(agent.tools.map { .string($0) }).jsonText),
            .text(agent.metadata.jsonText),
        ]
    }

    private static func optional(_ text: String?) -> SQLValue { text.map { .text($0) } ?? .null }

    private static func agent(_ row: [SQLValue]) -> Agent {
        Agent(
            id: row[0].string ?? "", name: row[2].string ?? "", agentType: row[3].string ?? "",
            description: row[4].string, systemPrompt: row[5].string, state: AgentState(storedJSON: row[6].string ?? ""),
            modelProvider: row[7].string, modelID: row[8].string,
            tools: JSONValue(parsing: row[9].string ?? "[]")?.arrayValue?.compactMap(\.stringValue) ?? [],
            ownerID: row[1].string ?? "", createdAt: row[13].string ?? "", updatedAt: row[14].string ?? "",
            lastActiveAt: row[12].string, messageCount: row[11].integer ?? 0,
            metadata: JSONValue(parsing: row[10].string ?? "{}") ?? [:])
    }
}
