import PluginKit

/// `PATCH /groups/{id}` `{name?, description?, coordination_pattern?, is_active?}`. The
/// pattern is parsed with its shape checked; the agents it names are not read yet.
struct GroupInput: JSONObject {
    var name: String?
    var description: String?
    var coordinationPattern: CoordinationPattern?
    var isActive: Bool?

    static let fields: [JSONField<Self>] = [
        JSONField("name", \.name) { $0.length(1...128).nonBlank() },
        JSONField("description", \.description) { $0.maxLength(4096) },
        JSONField("coordination_pattern", \.coordinationPattern),
        JSONField("is_active", \.isActive),
    ]
}

/// `POST /groups` `{name, description, coordination_pattern, members?}`: no `is_active` (a
/// group starts active), and each member's agent listed once.
struct GroupCreate: JSONObject {
    var input = GroupInput()
    var members: [MemberInput] = []

    static let fields: [JSONField<Self>] = GroupInput.fields.filter { $0.property.key != "is_active" }.map {
        $0.lifted(\.input, required: true)
    } + [JSONField("members", \.members) { $0.maxItems(GroupLimits.maxAgents) }]

    func normalized(at path: String) throws(HTTPError) -> GroupCreate {
        var listed: Set<String> = []
        for (index, member) in members.enumerated() where !listed.insert(member.agentID).inserted {
            throw .validation("\(JSONSchema.member("members", of: path))[\(index)].agent_id", "names an agent already listed")
        }
        return self
    }
}
