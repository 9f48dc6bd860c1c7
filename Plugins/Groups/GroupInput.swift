import PluginKit

/// `POST /groups` `{name, description, coordination_pattern, members?}` and
/// `PATCH /groups/{id}` `{name?, description?, coordination_pattern?, is_active?}`, checked
/// for shape. The coordination pattern is parsed next (`CoordinationPattern`); nothing is read yet.
struct GroupInput: Sendable {
    var name: String?
    var description: String?
    var coordinationPattern: JSONValue?
    var isActive: Bool?
    var members: [MemberInput] = []

    static func create(_ body: JSONValue) throws(HTTPError) -> GroupInput {
        let fields = try JSONFields(body)
        var input = try read(fields)
        if input.name == nil { _ = try fields.requiredString("name") }
        if input.description == nil { _ = try fields.requiredString("description") }
        if input.coordinationPattern == nil { _ = try fields.requiredObject("coordination_pattern") }
        let members = try fields.array("members") ?? []
        guard members.count <= GroupLimits.maxAgents else {
            throw .validation("members", "must have at most \(GroupLimits.maxAgents) entries")
        }
        var listed: Set<String> = []
        for (index, member) in members.enumerated() {
            let parsed = try MemberInput(member, field: "members[\(index)]")
            guard listed.insert(parsed.agentID).inserted else {
                throw .validation("members[\(index)].agent_id", "names an agent already listed")
            }
            input.members.append(parsed)
        }
        input.isActive = nil
        return input
    }

    static func update(_ body: JSONValue) throws(HTTPError) -> GroupInput {
        let fields = try JSONFields(body)
        for key in ["name", "description", "coordination_pattern", "is_active"] where fields.has(key) && !fields.hasValue(key) {
            throw .validation(key, "must not be null")
        }
        return try read(fields)
    }

    private static func read(_ fields: JSONFields) throws(HTTPError) -> GroupInput {
        var input = GroupInput()
        if let name = try fields.string("name") {
            guard !name.allSatisfy(\.isWhitespace), name.count <= 128 else {
                throw .validation("name", "must be 1 to 128 characters, not only spaces")
            }
            input.name = name
        }
        if let description = try fields.string("description") {
            guard description.utf8.count <= 4096 else { throw .validation("description", "must be at most 4096 bytes") }
            input.description = description
        }
        if let pattern = try fields.object("coordination_pattern") { input.coordinationPattern = .object(pattern.members) }
        input.isActive = try fields.bool("is_active")
        return input
    }
}
