import PluginKit

/// One entry of `GET /agents/{id}/memory` and the answer of `POST /agents/{id}/memory`:
/// API.md's `{agent_id, memory_type, content, updated_at, version}`, plus the block's
/// `memory_key` (which tells blocks apart) and `created_at`.
struct MemoryBlock: Sendable, Equatable {
    var agentID: String
    var memoryKey: String
    var memoryType: String
    var content: String
    var version: Int64
    var createdAt: String
    var updatedAt: String

    var json: JSONValue {
        [
            "agent_id": .string(agentID), "memory_key": .string(memoryKey), "memory_type": .string(memoryType),
            "content": .string(content), "version": .integer(version), "created_at": .string(createdAt),
            "updated_at": .string(updatedAt),
        ]
    }
}

/// An archival memory item: `{id, label, content, created_at, metadata}`.
struct ArchivalItem: Sendable {
    var id: String
    var label: String?
    var content: String
    var createdAt: String
    var metadata: JSONValue

    var json: JSONValue {
        [
            "id": .string(id), "label": .text(label), "content": .string(content), "created_at": .string(createdAt),
            "metadata": metadata,
        ]
    }
}
