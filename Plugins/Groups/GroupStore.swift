import PluginKit

/// The SQL behind groups and their members.
struct GroupStore: Sendable {
    let database: DatabaseClient

    static let sortFields = ["created_at", "updated_at", "name", "last_active_at", "member_count"]

    private static let columns = """
        g.id, g.owner_id, g.name, g.description, g.coordination_pattern, g.is_active, g.created_at, g.updated_at, \
        g.last_active_at, (SELECT COUNT(*) FROM groups_members m WHERE m.group_id = g.id) AS member_count
        """

    func find(id: String, ownerID: String, in executor: any SQLExecutor) throws(DatabaseFailure) -> Group? {
        try executor.execute("SELECT \(Self.columns) FROM groups_groups g WHERE g.id = ? AND g.owner_id = ?",
                             [.text(id), .text(ownerID)]).rows.first.map(Self.group)
    }

    func list(ownerID: String, page: PageRequest) throws(DatabaseFailure) -> (groups: [Group], total: Int) {
        let found = try database.ownedPage(
            select: Self.columns, from: "groups_groups", alias: "g", ownerID: ownerID, active: "is_active",
            extraSorts: ["last_active_at": { "g.last_active_at IS NULL, g.last_active_at \($0)" }, "member_count": { "member_count \($0)" }],
            page)
        return (found.rows.map(Self.group), found.total)
    }

    func insert(_ group: Group, in executor: any SQLExecutor) throws(DatabaseFailure) {
        _ = try executor.execute("""
            INSERT INTO groups_groups (id, owner_id, name, description, coordination_pattern, is_active, created_at,
                updated_at, last_active_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [.text(group.id), .text(group.ownerID), .text(group.name), .text(group.description),
                  .text(group.coordinationPattern.jsonText), .integer(group.isActive ? 1 : 0), .text(group.createdAt),
                  .text(group.updatedAt), group.lastActiveAt.map { .text($0) } ?? .null])
    }

    func update(_ group: Group, in executor: any SQLExecutor) throws(DatabaseFailure) -> Bool {
        try executor.execute("""
            UPDATE groups_groups SET name = ?, description = ?, coordination_pattern = ?, is_active = ?, updated_at = ?
            WHERE id = ? AND owner_id = ?
            """, [.text(group.name), .text(group.description), .text(group.coordinationPattern.jsonText),
                  .integer(group.isActive ? 1 : 0), .text(group.updatedAt), .text(group.id), .text(group.ownerID)]
        ).changes == 1
    }

    func delete(id: String, ownerID: String, in executor: any SQLExecutor) throws(DatabaseFailure) -> Bool {
        try executor.execute("DELETE FROM groups_groups WHERE id = ? AND owner_id = ?", [.text(id), .text(ownerID)])
            .changes == 1
    }

    /// Marks the group changed (a member came or went).
    func touch(id: String, at time: String, in executor: any SQLExecutor) throws(DatabaseFailure) {
        _ = try executor.execute("UPDATE groups_groups SET updated_at = ? WHERE id = ?", [.text(time), .text(id)])
    }

    /// Stores a new coordination pattern without marking the group edited: the round-robin
    /// turn is routing state, not a change the owner made.
    func setCoordinationPattern(_ pattern: JSONValue, groupID: String, in executor: any SQLExecutor)
        throws(DatabaseFailure)
    {
        _ = try executor.execute("UPDATE groups_groups SET coordination_pattern = ? WHERE id = ?",
                                 [.text(pattern.jsonText), .text(groupID)])
    }

    /// Records that a message was routed to the group; false when it is not `ownerID`'s.
    func markActive(id: String, ownerID: String, at time: String, in executor: any SQLExecutor)
        throws(DatabaseFailure) -> Bool
    {
        try executor.execute("UPDATE groups_groups SET last_active_at = ? WHERE id = ? AND owner_id = ?",
                             [.text(time), .text(id), .text(ownerID)]).changes == 1
    }

    /// One page (by id, after `afterID`) of active groups whose stored pattern text may be a
    /// sleeptime pattern. Portable SQL has no JSON functions, so this is a textual prefilter
    /// (patterns are stored as compact JSON): the caller checks each pattern's `type`.
    /// `more` is true when the page is full, so there may be further rows.
    func sleeptimeCandidates(afterID: String, limit: Int) throws(DatabaseFailure) -> (groups: [Group], more: Bool) {
        let rows = try database.execute("""
            SELECT \(Self.columns) FROM groups_groups g
            WHERE g.is_active = 1 AND g.id > ? AND g.coordination_pattern LIKE ?
            ORDER BY g.id LIMIT ?
            """, [.text(afterID), .text(#"%"type":"sleeptime"%"#), .integer(Int64(limit))]).rows
        return (rows.map(Self.group), rows.count == limit)
    }

    // MARK: Members

    /// A member row; `agentName` is left empty for the caller to fill from "agents.v1".
    struct MemberRow: Sendable {
        var agentID: String
        var role: JSONValue
        var capabilities: [String]
        var metadata: JSONValue
        var isActive: Bool
        var joinedAt: String
    }

    func insertMember(_ member: MemberRow, groupID: String, in executor: any SQLExecutor) throws(DatabaseFailure) {
        _ = try executor.execute("""
            INSERT INTO groups_members (group_id, agent_id, role, capabilities, metadata, is_active, joined_at)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            """, [.text(groupID), .text(member.agentID), .text(member.role.jsonText),
                  .text(JSONValue.array(member.capabilities.map { .string($0) }).jsonText), .text(member.metadata.jsonText),
                  .integer(member.isActive ? 1 : 0), .text(member.joinedAt)])
    }

    func members(groupID: String, in executor: any SQLExecutor) throws(DatabaseFailure) -> [MemberRow] {
        try executor.execute("""
            SELECT agent_id, role, capabilities, metadata, is_active, joined_at FROM groups_members
            WHERE group_id = ? ORDER BY joined_at, agent_id
            """, [.text(groupID)]).rows.map { row in
            MemberRow(agentID: row[0].string ?? "", role: JSONValue(parsing: row[1].string ?? "") ?? "regular",
                      capabilities: JSONValue(parsing: row[2].string ?? "[]")?.arrayValue?.compactMap(\.stringValue) ?? [],
                      metadata: JSONValue(parsing: row[3].string ?? "{}") ?? [:], isActive: row[4].integer != 0,
                      joinedAt: row[5].string ?? "")
        }
    }

    func memberCount(groupID: String, in executor: any SQLExecutor) throws(DatabaseFailure) -> Int {
        Int(try executor.execute("SELECT COUNT(*) FROM groups_members WHERE group_id = ?", [.text(groupID)])
            .rows.first?.first?.integer ?? 0)
    }

    func deleteMember(groupID: String, agentID: String, in executor: any SQLExecutor) throws(DatabaseFailure) -> Bool {
        try executor.execute("DELETE FROM groups_members WHERE group_id = ? AND agent_id = ?",
                             [.text(groupID), .text(agentID)]).changes == 1
    }

    /// Removes the agent from every group; returns those groups' ids.
    func removeEverywhere(agentID: String, in executor: any SQLExecutor) throws(DatabaseFailure) -> [String] {
        let groups = try executor.execute("SELECT group_id FROM groups_members WHERE agent_id = ? ORDER BY group_id",
                                          [.text(agentID)]).rows.compactMap { $0[0].string }
        if !groups.isEmpty {
            _ = try executor.execute("DELETE FROM groups_members WHERE agent_id = ?", [.text(agentID)])
        }
        return groups
    }

    private static func group(_ row: [SQLValue]) -> Group {
        Group(id: row[0].string ?? "", name: row[2].string ?? "", description: row[3].string ?? "",
              coordinationPattern: JSONValue(parsing: row[4].string ?? "{}") ?? [:], ownerID: row[1].string ?? "",
              memberCount: Int(row[9].integer ?? 0), isActive: row[5].integer != 0, createdAt: row[6].string ?? "",
              updatedAt: row[7].string ?? "", lastActiveAt: row[8].string, members: nil)
    }
}
