import PluginKit

/// A group as "groups.v1" `get_group` describes it (pattern_groups_service.h): the planners'
/// only input about the group. Decoded from that JSON, or built directly in tests.
public struct GroupSnapshot: Sendable, Equatable {
    public var id: String
    public var ownerID: String
    public var name: String
    public var isActive: Bool
    public var pattern: CoordinationPattern
    /// In the group's order (joined_at, then agent id): the round-robin order.
    public var members: [Member]

    public init(id: String, ownerID: String = "", name: String = "", isActive: Bool = true,
                pattern: CoordinationPattern, members: [Member]) {
        self.id = id
        self.ownerID = ownerID
        self.name = name
        self.isActive = isActive
        self.pattern = pattern
        self.members = members
    }

    public init(jsonText: String) throws(CoordinationError) {
        guard let json = JSONValue(parsing: jsonText) else { throw .malformed(field: "body", problem: "is not JSON") }
        try self.init(json: json)
    }

    public init(json: JSONValue) throws(CoordinationError) {
        (id, ownerID, name, isActive, pattern, members) = try decoding { () throws(HTTPError) in
            let fields = try JSONFields(json)
            var members: [Member] = []
            for (index, member) in try fields.requiredArray("members").enumerated() {
                members.append(try Member(JSONFields(member, path: "members[\(index)]")))
            }
            let pattern = try CoordinationPattern(fields.requiredObject("coordination_pattern"))
            return (try fields.requiredString("id"), try fields.string("owner_id") ?? "", try fields.string("name") ?? "",
                    try fields.bool("is_active") ?? true, pattern, members)
        }
    }

    /// The member with this agent id.
    public func member(_ agentID: String) -> Member? {
        members.first { $0.agentID == agentID }
    }

    /// The members that may answer a message: available, and not observers.
    public var respondents: [Member] { members.filter(\.mayAnswer) }
}

/// One member of a group, with its agent's state.
public struct Member: Sendable, Equatable {
    public var agentID: String
    public var agentName: String
    public var role: MemberRole
    public var capabilities: [String]
    /// The membership is active.
    public var isActive: Bool
    /// The agent itself is not suspended.
    public var agentIsActive: Bool

    public init(agentID: String, agentName: String, role: MemberRole = .regular, capabilities: [String] = [],
                isActive: Bool = true, agentIsActive: Bool = true) {
        self.agentID = agentID
        self.agentName = agentName
        self.role = role
        self.capabilities = capabilities
        self.isActive = isActive
        self.agentIsActive = agentIsActive
    }

    /// The availability rule: the membership is active and the agent not suspended.
    public var isAvailable: Bool { isActive && agentIsActive }

    /// Available and not an observer (observers watch; they answer only when @mentioned).
    public var mayAnswer: Bool { isAvailable && role != .observer }

    /// The capabilities plus a specialist's domain: what capability matching compares.
    public var expertise: [String] {
        if case .specialist(let domain) = role { return capabilities + [domain] }
        return capabilities
    }

    init(_ fields: JSONFields) throws(HTTPError) {
        agentID = try fields.requiredString("agent_id")
        agentName = try fields.string("agent_name") ?? ""
        role = try MemberRole(fields.value("role") ?? "regular", field: fields.field("role"))
        capabilities = try fields.stringArray("capabilities") ?? []
        isActive = try fields.bool("is_active") ?? true
        agentIsActive = try fields.bool("agent_is_active") ?? true
    }
}

/// API.md's member roles.
public enum MemberRole: Sendable, Equatable {
    case regular
    case supervisor
    case observer
    case specialist(domain: String)

    init(_ value: JSONValue, field: String) throws(HTTPError) {
        switch value {
        case .string("regular"): self = .regular
        case .string("supervisor"): self = .supervisor
        case .string("observer"): self = .observer
        case .object(let members) where members.count == 1 && members["specialist"] != nil:
            self = .specialist(domain: try JSONFields(members["specialist"]!, path: "\(field).specialist")
                .requiredString("domain"))
        default:
            throw .validation(field, #"must be "regular", "supervisor", "observer" or {"specialist": {"domain": "…"}}"#)
        }
    }
}

/// Runs a decoding body written with PluginKit's JSONFields, reporting its first problem as
/// a `CoordinationError.malformed`.
func decoding<T>(_ body: () throws(HTTPError) -> T) throws(CoordinationError) -> T {
    do {
        return try body()
    } catch {
        let problem = error.fields.first
        throw .malformed(field: problem?.field ?? "body", problem: problem?.message ?? error.message)
    }
}
