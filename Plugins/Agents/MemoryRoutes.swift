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
        try host.route(.get, "/api/v1/agents/{id}/memory", permission: "read_memory", summary: "List an agent's memory",
                       description: "core (default): the blocks; archival: the newest 100 items (page them at "
                           + "/memory/archival); recall: the conversation, empty until the chat plugin records messages.",
                       query: MemoryListQuery.self, responds: [200: .json([MemoryBlock].self, "Memory entries")]) {
            try list($0, $1)
        }
        try host.route(.post, "/api/v1/agents/{id}/memory", permission: "update_memory",
                       summary: "Change a core memory block", description: Self.updateDescription,
                       body: MemoryChange.self, headers: [Self.ifMatch],
                       responds: [200: .json(MemoryBlock.self, "The updated block (ETag: its version)")],
                       errors: [409: "If-Match names another version"]) { try update($0, $1) }
        try host.route(.get, "/api/v1/agents/{id}/memory/archival", permission: "read_memory",
                       summary: "Page through or search an agent's archival memory",
                       description: "With query: full-text search (every word must match, the last also as a prefix), "
                           + "best match first.",
                       query: ArchivalQuery.self, responds: [200: .page(of: ArchivalItem.self, "One page of archival items")]) {
            try archival($0, $1)
        }
        try host.route(.post, "/api/v1/agents/{id}/memory/archival", permission: "update_memory",
                       summary: "Add an archival memory item", body: ArchivalInsert.self,
                       responds: [201: .json(ArchivalItem.self, "The new item")]) { try insertArchival($0, $1) }
    }

    private static let updateDescription = "append adds a line; replace replaces every occurrence, matched byte for "
        + "byte (no Unicode normalisation); archive moves the block's content to archival memory and empties it; "
        + "load_from_archival moves the newest item with that label into the block; swap does both. Blocks are "
        + "limited to [agents] max_memory_block_bytes (default 65536): a change whose result would be larger is "
        + "refused with 400, judged from the sizes before the result is built."

    private static let ifMatch = JSONSchema.Property.property("If-Match", MemoryPrecondition.schema, required: false)

    private func ownedAgent(_ request: Request) throws(HTTPError) -> String {
        let owner = try request.callerID()
        let id = try request.agentID()
        guard try HTTPError.mapping({ try agents.exists(id: id, ownerID: owner, in: agents.database) }) else {
            throw HTTPError.notFound("No agent with this id.")
        }
        return id
    }

    private func list(_ request: Request, _ query: MemoryListQuery) throws -> Response {
        let id = try ownedAgent(request)
        return .jsonValue(.array(try blocks(agentID: id, type: query.memoryType).map(\.json)))
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

    private func update(_ request: Request, _ change: MemoryChange) throws -> Response {
        let precondition = try MemoryPrecondition.parse(request.header("if-match"))
        let block = try update(agentID: request.agentID(), ownerID: request.callerID(), change: change,
                               precondition: precondition)
        var response = Response.jsonValue(block.json)
        response.headers.append(("ETag", "\"\(block.version)\""))
        return response
    }

    /// Applies a `POST …/memory` body (`{memory_key, operation}`) to `ownerID`'s agent `id` and
    /// publishes memory_updated (the agents.v1 service runs this too).
    func update(agentID id: String, ownerID owner: String, body: JSONValue,
                precondition: MemoryPrecondition?) throws(HTTPError) -> MemoryBlock {
        try update(agentID: id, ownerID: owner, change: MemoryChange(json: body), precondition: precondition)
    }

    private func update(agentID id: String, ownerID owner: String, change: MemoryChange,
                        precondition: MemoryPrecondition?) throws(HTTPError) -> MemoryBlock {
        try change.operation.fits(maxBlockBytes: editor.maxBlockBytes)
        let outcome = try editor.apply(agentID: id, ownerID: owner, key: change.memoryKey, operation: change.operation,
                                       precondition: precondition)
        events.memoryUpdated(agentID: id, memoryType: "core")
        if outcome.archivalChanged { events.memoryUpdated(agentID: id, memoryType: "archival") }
        return outcome.block
    }

    private func archival(_ request: Request, _ query: ArchivalQuery) throws -> Response {
        let id = try ownedAgent(request)
        let (items, total) = try HTTPError.mapping {
            try memory.archival(agentID: id, query: query.text, page: query.page)
        }
        return .jsonValue(query.page.envelope(items.map(\.json), total: total))
    }

    private func insertArchival(_ request: Request, _ insert: ArchivalInsert) throws -> Response {
        guard insert.content.utf8.count <= editor.maxBlockBytes else {
            throw HTTPError.validation("content", "must be at most \(editor.maxBlockBytes) bytes")
        }
        let owner = try request.callerID()
        let id = try request.agentID()
        let item = ArchivalItem(id: ResourceID.make("arch"), label: insert.label, content: insert.content,
                                createdAt: Timestamp.rfc3339(Date()), metadata: insert.metadata)
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

/// The query of `GET …/memory`.
struct MemoryListQuery: JSONObject {
    var memoryType = "core"

    static let fields: [JSONField<Self>] = [
        JSONField("memory_type", \.memoryType) { $0.oneOf(MemoryBlock.memoryTypes).defaultsTo("core").describe("Which memory") },
    ]
}

/// The query of `GET …/memory/archival`: a page, and the words to search for.
struct ArchivalQuery: JSONObject {
    var page = PageRequest(sortBy: "created_at")
    var text: String?

    static let fields: [JSONField<Self>] = PageRequest.fields(\.page, sortFields: ["created_at"], activeFilter: false) + [
        JSONField("query", \.text) { $0.maxLength(1024).describe("Words to search for") },
    ]
}

/// The body of `POST …/memory/archival`.
struct ArchivalInsert: JSONObject {
    var content = ""
    var label: String?
    var metadata: JSONValue = [:]

    static let fields: [JSONField<Self>] = [
        JSONField("content", \.content, required: true) { $0.nonEmpty() },
        JSONField("label", \.label) { _ in MemoryOperation.key.orNull() },
        JSONField("metadata", \.metadata) { _ in .object },
    ]
}
