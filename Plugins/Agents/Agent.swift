import PluginKit

/// An agent as API.md's AgentResponse shows it.
struct Agent: Sendable {
    var id: String
    var name: String
    var agentType: String
    var description: String?
    var systemPrompt: String?
    var state: AgentState
    var modelProvider: String?
    var modelID: String?
    var tools: [String]
    var ownerID: String
    var createdAt: String
    var updatedAt: String
    /// Null until the chat plugin records messages.
    var lastActiveAt: String?
    var messageCount: Int64
    var metadata: JSONValue

    /// The response object: every key always present, absent values `null`.
    var json: JSONValue {
        [
            "id": .string(id), "name": .string(name), "agent_type": .string(agentType),
            "description": .text(description), "system_prompt": .text(systemPrompt), "state": state.json,
            "model_provider": .text(modelProvider), "model_id": .text(modelID),
            "tools": .array(tools.map { .string($0) }), "owner_id": .string(ownerID), "created_at": .string(createdAt),
            "updated_at": .string(updatedAt), "last_active_at": .text(lastActiveAt),
            "message_count": .integer(messageCount), "metadata": metadata,
        ]
    }
}

extension JSONValue {
    /// A string, or `null` for nil.
    static func text(_ value: String?) -> JSONValue { value.map { .string($0) } ?? .null }
}
