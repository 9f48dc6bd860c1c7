import Foundation
import PluginKit

/// `/api/v1/agents/{id}/memory`: core blocks (read, and the five operations) and archival
/// items (paged listing with full-text search, and direct inserts).
struct MemoryRoutes: Sendable {
    let agents: AgentStore
    let memory: MemoryStore
    let editor: MemoryEditor
    let events: AgentEvents

    /// How many archival items `GET …/memory?memory_type=archival` shows (newest first).
    static let archivalPreviewLimit = 100

    func register(_ host: PluginHost) throws {
        try host.route(.get, "/api/v1/agents/{id}/memory", permission: "read_memory",
                       openAPI: AgentsOpenAPI.memoryList) { try list($0) }
        try host.route(.post, "/api/v1/agents/{id}/memory", permission: "update_memory",
                       openAPI: AgentsOpenAPI.memoryUpdate) { try update($0) }
        try host.route(.get, "/api/v1/agents/{id}/memory/archival", permission: "read_memory",
                       openAPI: AgentsOpenAPI.archivalList) { try archival($0) }
        try host.route(.post, "/api/v1/agents/{id}/memory/archival", permission: "update_memory",
                       openAPI: AgentsOpenAPI.archivalCreate) { try insertArchival($0) }
    }

    private func ownedAgent(_ request: Request) throws(HTTPError) -> String {
        let owner = try request.callerID()
        let id = try request.agentID()
        guard try HTTPError.mapping({ try agents.exists(id: id, ownerID: owner, in: agents.database) }) else {
            throw HTTPError.notFound("No agent with this id.")
        }
        return id
    }

    func list(_ request: Request) throws -> Response {
        let type = try request.query("memory_type") ?? "core"
        guard ["core", "recall", "archival"].contains(type) else {
            throw HTTPError.validation("memory_type", "must be core, recall or archival")
        }
        let id = try ownedAgent(request)
        return .jsonValue(.array(try blocks(agentID: id, type: type).map(\.json)))
    }

    /// Agent `id`'s core blocks, `ownerID`'s agent or not found (the agents.v1 service's read).
    func coreBlocks(agentID id: String, ownerID owner: String) throws(HTTPError) -> [MemoryBlock] {
        guard try HTTPError.mapping({ try agents.exists(id: id, ownerID: owner, in: agents.database) }) else {
            throw HTTPError.notFound("No agent with this id.")
        }
        return try blocks(agentID: id, type: "core")
    }

    private func blocks(agentID id: String, type: String) throws(HTTPError) -> [MemoryBlock] {
        try HTTPError.mapping {
            switch type {
            case "core":
                return try memory.blocks(agentID: id)
            case "archival":
                let newest = PageRequest(limit: Self.archivalPreviewLimit, sortBy: "created_at", sortDescending: true)
                return try memory.archival(agentID: id, query: nil, page: newest).items.map { item in
                    MemoryBlock(agentID: id, memoryKey: item.label ?? item.id, memoryType: "archival",
                                content: item.content, version: 1, createdAt: item.createdAt, updatedAt: item.createdAt)
                }
            default:
                return [] // recall memory is the conversation: the chat plugin's messages
            }
        }
    }

    func update(_ request: Request) throws -> Response {
        let body = try request.jsonBody()
        let precondition = try MemoryPrecondition.parse(request.header("if-match"))
        let block = try update(agentID: request.agentID(), ownerID: request.callerID(), body: body,
                               precondition: precondition)
        var response = Response.jsonValue(block.json)
        response.headers.append(("ETag", "\"\(block.version)\""))
        return response
    }

    /// Applies a `POST …/memory` body (`{memory_key, operation}`) to `ownerID`'s agent `id` and
    /// publishes memory_updated (the agents.v1 service runs this too).
    func update(agentID id: String, ownerID owner: String, body: JSONValue,
                precondition: MemoryPrecondition?) throws(HTTPError) -> MemoryBlock {
        let (key, operation) = try MemoryOperation.parse(body, maxBlockBytes: editor.maxBlockBytes)
        let outcome = try editor.apply(agentID: id, ownerID: owner, key: key, operation: operation,
                                       precondition: precondition)
        events.memoryUpdated(agentID: id, memoryType: "core")
        if outcome.archivalChanged { events.memoryUpdated(agentID: id, memoryType: "archival") }
        return outcome.block
    }

    func archival(_ request: Request) throws -> Response {
        let page = try PageRequest(request, sortFields: ["created_at"], defaultSort: "created_at")
        let query = try request.query("query")
        if let query, query.utf8.count > 1024 { throw HTTPError.validation("query", "must be at most 1024 bytes") }
        let id = try ownedAgent(request)
        let (items, total) = try HTTPError.mapping { try memory.archival(agentID: id, query: query, page: page) }
        return .jsonValue(page.envelope(items.map(\.json), total: total))
    }

    func insertArchival(_ request: Request) throws -> Response {
        let fields = try JSONFields(request.jsonBody())
        let content = try fields.requiredString("content")
        guard !content.isEmpty else { throw HTTPError.validation("content", "must not be empty") }
        guard content.utf8.count <= editor.maxBlockBytes else {
            throw HTTPError.validation("content", "must be at most \(editor.maxBlockBytes) bytes")
        }
        let label = try fields.string("label")
        if let label, label.isEmpty || label.count > MemoryOperation.maxKeyCharacters {
            throw HTTPError.validation("label", "must be 1 to \(MemoryOperation.maxKeyCharacters) characters")
        }
        let metadata = fields.value("metadata") ?? [:]
        guard case .object = metadata else { throw HTTPError.validation("metadata", "must be an object") }
        let owner = try request.callerID()
        let id = try request.agentID()
        let item = ArchivalItem(id: ResourceID.make("arch"), label: label, content: content,
                                createdAt: Timestamp.rfc3339(Date()), metadata: metadata)
        try HTTPError.mapping {
            try memory.database.transaction { transaction in
                guard try agents.exists(id: id, ownerID: owner, in: transaction) else {
                    throw HTTPError.notFound("No agent with this id.")
                }
                try memory.insertArchival(item, agentID: id, in: transaction)
            }
        }
        events.memoryUpdated(agentID: id, memoryType: "archival")
        return .jsonValue(item.json, status: 201)
    }
}
