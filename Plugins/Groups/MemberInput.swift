import PluginKit

/// A member to add: `{agent_id, role, capabilities?, metadata?}`. `role` is `"regular"`,
/// `"supervisor"`, `"observer"` or `{"specialist": {"domain": "…"}}`.
struct MemberInput: Sendable {
    var agentID: String
    var role: JSONValue
    var capabilities: [String]
    var metadata: JSONValue

    static let plainRoles = ["regular", "supervisor", "observer"]
    static let maxCapabilities = 64

    init(_ value: JSONValue, field: String = "") throws(HTTPError) {
        let fields = try JSONFields(value, path: field)
        agentID = try fields.requiredString("agent_id")
        guard !agentID.isEmpty else { throw .validation(fields.field("agent_id"), "must not be empty") }
        role = try Self.role(fields)
        capabilities = try fields.stringArray("capabilities") ?? []
        guard capabilities.count <= Self.maxCapabilities, capabilities.allSatisfy({ !$0.isEmpty && $0.count <= 128 }) else {
            throw .validation(fields.field("capabilities"), "must be at most \(Self.maxCapabilities) strings of 1 to 128 characters")
        }
        metadata = fields.value("metadata") ?? [:]
        guard case .object = metadata else { throw .validation(fields.field("metadata"), "must be an object") }
    }

    private static func role(_ fields: JSONFields) throws(HTTPError) -> JSONValue {
        let field = fields.field("role")
        switch fields.value("role") {
        case nil:
            throw .validation(field, "is required")
        case .string(let role)? where plainRoles.contains(role):
            return .string(role)
        case .object(let members)? where members.count == 1 && members["specialist"] != nil:
            let specialist = try JSONFields(members["specialist"]!, path: "\(field).specialist")
            let domain = try specialist.requiredString("domain")
            guard !domain.isEmpty, domain.count <= 128 else {
                throw .validation(specialist.field("domain"), "must be 1 to 128 characters")
            }
            return ["specialist": ["domain": .string(domain)]]
        default:
            throw .validation(field, #"must be "regular", "supervisor", "observer" or {"specialist": {"domain": "…"}}"#)
        }
    }
}
