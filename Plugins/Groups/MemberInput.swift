import PluginKit

/// A member to add: `{agent_id, role, capabilities?, metadata?}`. `role` is `"regular"`,
/// `"supervisor"`, `"observer"` or `{"specialist": {"domain": "…"}}`.
struct MemberInput: JSONObject {
    static let plainRoles = ["regular", "supervisor", "observer"]
    static let maxCapabilities = 64

    static let role = JSONSchema.oneOf([
        JSONSchema.string.oneOf(plainRoles),
        .object([.property("specialist", .object([.property("domain", JSONSchema.string.length(1...128))]))],
                additionalProperties: false),
    ]).named("MemberRole")

    var agentID = ""
    var role: JSONValue = "regular"
    var capabilities: [String] = []
    var metadata: JSONValue = [:]

    static let fields: [JSONField<Self>] = [
        JSONField("agent_id", \.agentID, required: true) { $0.nonEmpty().describe("One of the caller's agents") },
        JSONField("role", \.role, required: true) { _ in role },
        JSONField("capabilities", \.capabilities) { $0.maxItems(maxCapabilities).items { $0.length(1...128) } },
        JSONField("metadata", \.metadata) { _ in .object },
    ]
}
