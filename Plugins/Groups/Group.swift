import PluginKit

/// API.md's GroupResponse; `members` only in `GET /groups/{id}` (and create).
struct Group: Sendable {
    var id: String
    var name: String
    var description: String
    var coordinationPattern: JSONValue
    var ownerID: String
    var memberCount: Int
    var isActive: Bool
    var createdAt: String
    var updatedAt: String
    var lastActiveAt: String?
    var members: [GroupMember]?

    var json: JSONValue {
        var object: [String: JSONValue] = [
            "id": .string(id), "name": .string(name), "description": .string(description),
            "coordination_pattern": coordinationPattern, "owner_id": .string(ownerID),
            "member_count": .integer(Int64(memberCount)), "is_active": .bool(isActive), "created_at": .string(createdAt),
            "updated_at": .string(updatedAt), "last_active_at": lastActiveAt.map { .string($0) } ?? .null,
        ]
        if let members { object["members"] = .array(members.map(\.json)) }
        return .object(object)
    }
}

/// `{agent_id, agent_name, role, capabilities, joined_at, is_active, metadata}`.
struct GroupMember: Sendable {
    var agentID: String
    var agentName: String
    var role: JSONValue
    var capabilities: [String]
    var joinedAt: String
    var isActive: Bool
    var metadata: JSONValue

    var json: JSONValue {
        [
            "agent_id": .string(agentID), "agent_name": .string(agentName), "role": role,
            "capabilities": .array(capabilities.map { .string($0) }), "joined_at": .string(joinedAt),
            "is_active": .bool(isActive), "metadata": metadata,
        ]
    }
}
