import PluginKit

/// One entry of `GET /agents/{id}/memory` and the answer of `POST /agents/{id}/memory`:
/// API.md's `{agent_id, memory_type, content, updated_at, version}`, plus the block's
/// `memory_key` (which tells blocks apart) and `created_at`.
struct MemoryBlock: JSONObject, Equatable {
    static let memoryTypes = ["core", "recall", "archival"]

    var agentID = ""
    var memoryKey = ""
    var memoryType = "core"
    var content = ""
    var version: Int64 = 1
    var createdAt = ""
    var updatedAt = ""

    static let schemaName: String? = "MemoryBlock"
    static let fields: [JSONField<Self>] = [
        JSONField("agent_id", \.agentID, required: true),
        JSONField("memory_key", \.memoryKey, required: true),
        JSONField("memory_type", \.memoryType, required: true) { $0.oneOf(memoryTypes) },
        JSONField("content", \.content, required: true),
        JSONField("version", \.version, required: true) { $0.minimum(1).describe("Increases by exactly one on every change") },
        JSONField("created_at", \.createdAt, required: true) { _ in .timestamp },
        JSONField("updated_at", \.updatedAt, required: true) { _ in .timestamp },
    ]
}

/// An archival memory item: `{id, label, content, created_at, metadata}`.
struct ArchivalItem: JSONObject {
    var id = ""
    var label: String?
    var content = ""
    var createdAt = ""
    var metadata: JSONValue = [:]

    static let schemaName: String? = "ArchivalItem"
    static let fields: [JSONField<Self>] = [
        JSONField("id", \.id, required: true) { $0.describe("arch_…") },
        JSONField("label", \.label, required: true) { $0.orNull() },
        JSONField("content", \.content, required: true),
        JSONField("created_at", \.createdAt, required: true) { _ in .timestamp },
        JSONField("metadata", \.metadata, required: true) { _ in .object },
    ]
}
