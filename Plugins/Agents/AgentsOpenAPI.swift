import PluginKit

/// OpenAPI operations of the agents plugin's routes, with their request and response schemas.
enum AgentsOpenAPI {
    private typealias API = OpenAPIOperation

    static let state: JSONValue = [
        "description": "Pattern's agent state",
        "oneOf": [
            ["type": "string", "enum": ["ready", "suspended", "processing"]],
            API.object(["cooldown": API.object(["until": API.timestamp], required: ["until"])], required: ["cooldown"]),
            API.object(["error": API.object(["kind": API.string(), "message": API.string()], required: ["kind", "message"])],
                       required: ["error"]),
        ],
    ]

    static let agentType = API.string("generic, pattern, entropy, flux, archive, momentum, anchor, or any custom type")

    static let agent = API.object([
        "id": API.string("agent_…"), "name": API.string(), "agent_type": agentType,
        "description": API.string(nullable: true), "system_prompt": API.string(nullable: true), "state": state,
        "model_provider": API.string(nullable: true), "model_id": API.string(nullable: true),
        "tools": API.array(API.string()), "owner_id": API.string(), "created_at": API.timestamp,
        "updated_at": API.timestamp, "last_active_at": API.nullableTimestamp,
        "message_count": API.integer(minimum: 0), "metadata": API.anyObject,
    ], required: ["id", "name", "agent_type", "description", "system_prompt", "state", "model_provider", "model_id",
                  "tools", "owner_id", "created_at", "updated_at", "last_active_at", "message_count", "metadata"])

    private static let name: JSONValue = ["type": "string", "minLength": 1, "maxLength": 128]

    private static var writableFields: [String: JSONValue] {
        [
            "name": name, "agent_type": agentType, "description": API.string(nullable: true),
            "system_prompt": API.string(nullable: true), "model_provider": API.string(nullable: true),
            "model_id": API.string(nullable: true), "tools": API.array(API.string(), maxItems: AgentInput.maxTools),
            "metadata": API.anyObject,
        ]
    }

    private static let idErrors = [400, 401, 403, 404]

    static let create = API.make(
        summary: "Create an agent", description: "Names are unique per owner (409 otherwise). The agent starts ready.",
        requestBody: API.object(writableFields, required: ["name", "agent_type"]),
        responses: [201: ("The new agent", agent)], errors: [400, 401, 403, 409, 415])

    static let list = API.make(
        summary: "List the caller's agents",
        description: "Administrators may pass owner_id to list another user's agents. is_active is false for suspended agents.",
        parameters: API.pageParameters(sortFields: AgentStore.sortFields)
            + [API.query("owner_id", API.string(), "Administrators only: whose agents to list")],
        responses: [200: ("One page of agents", API.page(of: agent))], errors: [400, 401, 403])

    static let get = API.make(summary: "Get an agent", responses: [200: ("The agent", agent)], errors: idErrors)

    static let update = API.make(
        summary: "Update an agent", description: "Any field of create, plus state; null clears an optional text field.",
        requestBody: API.object(writableFields.merging(["state": state]) { $1 }),
        responses: [200: ("The updated agent", agent)], errors: idErrors + [409, 415])

    static let delete = API.make(
        summary: "Delete an agent", description: "Its memory goes with it, and it leaves every group.",
        responses: [204: ("Deleted", nil)], errors: idErrors)

    // MARK: Memory

    static let memoryBlock = API.object([
        "agent_id": API.string(), "memory_key": API.string(),
        "memory_type": API.string(enumeration: ["core", "recall", "archival"]), "content": API.string(),
        "version": API.integer("Increases by exactly one on every change", minimum: 1),
        "created_at": API.timestamp, "updated_at": API.timestamp,
    ], required: ["agent_id", "memory_key", "memory_type", "content", "version", "updated_at"])

    static let memoryList = API.make(
        summary: "List an agent's memory",
        description: "core (default): the blocks; archival: the newest 100 items (page them at /memory/archival); "
            + "recall: the conversation, empty until the chat plugin records messages.",
        parameters: [API.query("memory_type", API.string(enumeration: ["core", "recall", "archival"]), "Which memory")],
        responses: [200: ("Memory entries", API.array(memoryBlock))], errors: idErrors)

    private static func operation(_ type: String, _ properties: [String: JSONValue], required: [String]) -> JSONValue {
        API.object(properties.merging(["type": ["const": .string(type)]]) { $1 }, required: ["type"] + required)
    }

    static let memoryOperation: JSONValue = ["oneOf": [
        operation("append", ["content": API.string()], required: ["content"]),
        operation("replace", ["old_content": API.string(), "new_content": API.string()],
                  required: ["old_content", "new_content"]),
        operation("archive", ["label": API.string()], required: []),
        operation("load_from_archival", ["label": API.string()], required: ["label"]),
        operation("swap", ["archive_key": API.string(), "load_label": API.string()], required: ["archive_key", "load_label"]),
    ]]

    static let memoryUpdate = API.make(
        summary: "Change a core memory block",
        description: "append adds a line; replace replaces every occurrence, matched byte for byte (no Unicode "
            + "normalisation); archive moves the block's content to archival memory and empties it; load_from_archival "
            + "moves the newest item with that label into the block; swap does both. Blocks are limited to [agents] "
            + "max_memory_block_bytes (default 65536): a change whose result would be larger is refused with 400, "
            + "judged from the sizes before the result is built.",
        parameters: [API.header("If-Match", API.string(), "The version the change applies to (0: a new block); 409 otherwise")],
        requestBody: API.object(["memory_key": name, "operation": memoryOperation], required: ["memory_key", "operation"]),
        responses: [200: ("The updated block (ETag: its version)", memoryBlock)], errors: idErrors + [409, 415])

    static let archivalItem = API.object([
        "id": API.string("arch_…"), "label": API.string(nullable: true), "content": API.string(),
        "created_at": API.timestamp, "metadata": API.anyObject,
    ], required: ["id", "label", "content", "created_at", "metadata"])

    static let archivalList = API.make(
        summary: "Page through or search an agent's archival memory",
        description: "With query: full-text search (every word must match, the last also as a prefix), best match first.",
        parameters: [API.query("query", API.string(), "Words to search for")]
            + API.pageParameters(sortFields: ["created_at"], activeFilter: false),
        responses: [200: ("One page of archival items", API.page(of: archivalItem))], errors: idErrors)

    static let archivalCreate = API.make(
        summary: "Add an archival memory item",
        requestBody: API.object(["content": API.string(), "label": API.string(nullable: true), "metadata": API.anyObject],
                                required: ["content"]),
        responses: [201: ("The new item", archivalItem)], errors: idErrors + [415])
}
