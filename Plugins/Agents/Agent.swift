import PluginKit

/// An agent as API.md's AgentResponse shows it: every key always present, absent values `null`.
struct Agent: JSONObject {
    var id = ""
    var name = ""
    var agentType = "generic"
    var description: String?
    var systemPrompt: String?
    var state = AgentState.ready
    var modelProvider: String?
    var modelID: String?
    var tools: [String] = []
    var ownerID = ""
    var createdAt = ""
    var updatedAt = ""
    /// Null until the chat plugin records messages.
    var lastActiveAt: String?
    var messageCount: Int64 = 0
    var metadata: JSONValue = [:]

    static let schemaName: String? = "Agent"
    static let fields: [JSONField<Self>] = [
        JSONField("id", \.id, required: true) { $0.describe("agent_…") },
        JSONField("name", \.name, required: true),
        JSONField("agent_type", \.agentType, required: true),
        JSONField("description", \.description, required: true) { $0.orNull() },
        JSONField("system_prompt", \.systemPrompt, required: true) { $0.orNull() },
        JSONField("state", \.state, required: true),
        JSONField("model_provider", \.modelProvider, required: true) { $0.orNull() },
        JSONField("model_id", \.modelID, required: true) { $0.orNull() },
        JSONField("tools", \.tools, required: true),
        JSONField("owner_id", \.ownerID, required: true),
        JSONField("created_at", \.createdAt, required: true) { _ in .timestamp },
        JSONField("updated_at", \.updatedAt, required: true) { _ in .timestamp },
        JSONField("last_active_at", \.lastActiveAt, required: true) { _ in JSONSchema.timestamp.orNull() },
        JSONField("message_count", \.messageCount, required: true) { $0.minimum(0) },
        JSONField("metadata", \.metadata, required: true) { _ in .object },
    ]
}
