import PluginKit

/// A stored message, answered as API.md's MessageResponse.
struct ChatMessage: Sendable {
    enum Role: String, Sendable, CaseIterable {
        case system, user, assistant, tool
    }

    var id: String
    var ownerID: String
    var agentID: String?
    var groupID: String?
    var role: Role
    var content: MessageContent
    var toolCalls: [ToolCall]?
    var toolResults: [ToolResult]?
    /// At least `{group_id?, usage?: {input_tokens, output_tokens, model}}`.
    var metadata: JSONValue
    var createdAt: String

    var json: JSONValue {
        [
            "id": .string(id), "agent_id": agentID.map { .string($0) } ?? .null, "role": .string(role.rawValue),
            "content": content.tagged, "created_at": .string(createdAt),
            "tool_calls": toolCalls.map { .array($0.map(\.json)) } ?? .null,
            "tool_results": toolResults.map { .array($0.map(\.json)) } ?? .null, "metadata": metadata,
        ]
    }
}
