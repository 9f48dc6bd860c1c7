import PluginKit

/// A stored message, answered as API.md's MessageResponse.
struct ChatMessage: Sendable, SchemaDescribed {
    enum Role: String, CaseIterable, SchemaValue {
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

    /// The schema of `json`.
    static let schema = JSONSchema.object([
        .property("id", JSONSchema.string.describe("msg_…")), .property("agent_id", JSONSchema.string.orNull()),
        .property("role", Role.schema), .property("content", MessageContent.schema),
        .property("created_at", .timestamp),
        .property("tool_calls", JSONSchema.array(.object([
            .property("id", .string), .property("name", .string), .property("arguments", .any),
        ])).orNull()),
        .property("tool_results", JSONSchema.array(.object([
            .property("tool_call_id", .string), .property("result", .string), .property("is_error", .boolean),
        ])).orNull()),
        .property("metadata", .object),
    ]).named("Message")

    var json: JSONValue {
        [
            "id": .string(id), "agent_id": agentID.map { .string($0) } ?? .null, "role": .string(role.rawValue),
            "content": content.tagged, "created_at": .string(createdAt),
            "tool_calls": toolCalls.map { .array($0.map(\.json)) } ?? .null,
            "tool_results": toolResults.map { .array($0.map(\.json)) } ?? .null, "metadata": metadata,
        ]
    }
}
