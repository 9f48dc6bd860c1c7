import PluginKit

/// API.md's GroupResponse; `members` only in `GET /groups/{id}` (and create).
struct Group: JSONObject {
    var id = ""
    var name = ""
    var description = ""
    var coordinationPattern: JSONValue = [:]
    var ownerID = ""
    var memberCount = 0
    var isActive = true
    var createdAt = ""
    var updatedAt = ""
    var lastActiveAt: String?
    var members: [GroupMember]?

    static let schemaName: String? = "Group"
    static let fields: [JSONField<Self>] = [
        JSONField("id", \.id, required: true) { $0.describe("group_…") },
        JSONField("name", \.name, required: true),
        JSONField("description", \.description, required: true),
        JSONField("coordination_pattern", \.coordinationPattern, required: true) { _ in CoordinationPattern.schema },
        JSONField("owner_id", \.ownerID, required: true),
        JSONField("member_count", \.memberCount, required: true) { $0.minimum(0) },
        JSONField("is_active", \.isActive, required: true),
        JSONField("created_at", \.createdAt, required: true) { _ in .timestamp },
        JSONField("updated_at", \.updatedAt, required: true) { _ in .timestamp },
        JSONField("last_active_at", \.lastActiveAt, required: true) { _ in JSONSchema.timestamp.orNull() },
        JSONField("members", \.members),
    ]
}

/// `{agent_id, agent_name, role, capabilities, joined_at, is_active, metadata}`.
struct GroupMember: JSONObject {
    var agentID = ""
    var agentName = ""
    var role: JSONValue = "regular"
    var capabilities: [String] = []
    var joinedAt = ""
    var isActive = true
    var metadata: JSONValue = [:]

    static let schemaName: String? = "GroupMember"
    static let fields: [JSONField<Self>] = [
        JSONField("agent_id", \.agentID, required: true),
        JSONField("agent_name", \.agentName, required: true),
        JSONField("role", \.role, required: true) { _ in MemberInput.role },
        JSONField("capabilities", \.capabilities, required: true),
        JSONField("joined_at", \.joinedAt, required: true) { _ in .timestamp },
        JSONField("is_active", \.isActive, required: true),
        JSONField("metadata", \.metadata, required: true) { _ in .object },
    ]
}
