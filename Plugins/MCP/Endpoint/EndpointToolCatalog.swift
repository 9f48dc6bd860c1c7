import PluginKit

/// The tools of API.md's /mcp, in `tools/list` order, each held to the REST route's permission.
enum EndpointToolCatalog {
    private typealias API = OpenAPIOperation

    private static let agent = API.object(
        ["id": API.string(), "name": API.string(), "agent_type": API.string(), "owner_id": API.string(),
         "tools": API.array(API.string())],
        required: ["id", "name", "agent_type", "owner_id"])
    private static let message = API.object(
        ["id": API.string(), "role": API.string(), "content": API.anyObject, "created_at": API.string()],
        required: ["id", "role", "created_at"])
    private static let memoryBlock = API.object(
        ["agent_id": API.string(), "memory_key": API.string(), "memory_type": API.string(), "content": API.string(),
         "version": API.integer(minimum: 1), "updated_at": API.string()],
        required: ["agent_id", "memory_key", "content", "version"])
    private static let turn = API.object(
        ["messages": API.array(message), "usage": ["type": ["object", "null"]]], required: ["messages"])
    private static let group = API.object(
        ["id": API.string(), "name": API.string(), "coordination_pattern": API.anyObject,
         "member_count": API.integer(minimum: 0)],
        required: ["id", "name"])
    private static let agentID = API.string("An agent id (agent_…).")

    static let all: [EndpointTool] = [
        EndpointTool(
            name: .listAgents, title: "List agents", description: "Lists your agents, one page at a time.",
            permission: "read_agents",
            inputSchema: API.object(ToolArguments.page.merging(["sort_by": API.string(
                "created_at, updated_at, name, last_active_at or message_count.")]) { $1 }),
            outputSchema: API.page(of: agent)),
        EndpointTool(
            name: .getAgent, title: "Get an agent", description: "One of your agents by id.",
            permission: "read_agents",
            inputSchema: API.object(["agent_id": agentID], required: ["agent_id"]), outputSchema: agent),
        EndpointTool(
            name: .createAgent, title: "Create an agent",
            description: "Creates an agent (as POST /api/v1/agents): a name unique among your agents and a type "
                + "(generic, pattern, entropy, flux, archive, momentum, anchor or your own).",
            permission: "write_agents",
            inputSchema: API.object(
                ["name": API.string("1 to 128 characters."), "agent_type": API.string("generic, pattern, … or a custom type."),
                 "description": API.string(), "system_prompt": API.string(),
                 "model_provider": API.string("A provider id (prov_…) or kind (openai, anthropic)."),
                 "model_id": API.string(), "tools": API.array(API.string()), "metadata": API.anyObject],
                required: ["name", "agent_type"]),
            outputSchema: agent),
        EndpointTool(
            name: .sendMessage, title: "Send a message",
            description: "Sends a message to one of your agents (by id or name) or groups and answers when the "
                + "turn is over: every message it stored, the agent's reply last, and the token usage.",
            permission: "send_messages",
            inputSchema: API.object(
                ["target": API.string("An agent id, a group id or the name of one of your agents."),
                 "content": ToolArguments.content],
                required: ["target", "content"]),
            outputSchema: turn),
        EndpointTool(
            name: .getMessages, title: "Get messages",
            description: "The latest messages of one of your agents or groups, oldest first.",
            permission: "read_messages",
            inputSchema: API.object(
                ["target": API.string("An agent id, a group id or the name of one of your agents."),
                 "limit": ToolArguments.limit("How many of the newest messages (default 50).")],
                required: ["target"]),
            outputSchema: API.page(of: message)),
        EndpointTool(
            name: .searchMessages, title: "Search messages", description: "Full-text search over your messages.",
            permission: "read_messages",
            inputSchema: API.object(ToolArguments.page.merging(["query": API.string("Words to find.")]) { $1 },
                                       required: ["query"]),
            outputSchema: API.page(of: message)),
        EndpointTool(
            name: .readMemory, title: "Read core memory", description: "The core memory blocks of one of your agents.",
            permission: "read_memory",
            inputSchema: API.object(["agent_id": agentID], required: ["agent_id"]),
            outputSchema: API.object(["agent_id": API.string(), "blocks": API.array(memoryBlock)],
                                        required: ["agent_id", "blocks"])),
        EndpointTool(
            name: .updateMemory, title: "Update core memory",
            description: "Changes one core memory block (as POST /api/v1/agents/{id}/memory). operation is "
                + "{\"type\": \"append\", \"content\"}, {\"type\": \"replace\", \"old_content\", \"new_content\"}, "
                + "{\"type\": \"archive\", \"label\"?}, {\"type\": \"load_from_archival\", \"label\"} or "
                + "{\"type\": \"swap\", \"archive_key\", \"load_label\"}.",
            permission: "update_memory",
            inputSchema: API.object(
                ["agent_id": agentID, "memory_key": API.string("The block's label, e.g. persona or human."),
                 "operation": API.object(["type": ["type": "string", "enum": ["append", "replace", "archive",
                                                                                 "load_from_archival", "swap"]]],
                                            required: ["type"])],
                required: ["agent_id", "memory_key", "operation"]),
            outputSchema: memoryBlock),
        EndpointTool(
            name: .listGroups, title: "List groups", description: "Lists your agent groups, one page at a time.",
            permission: "read_groups",
            inputSchema: API.object(ToolArguments.page), outputSchema: API.page(of: group)),
        EndpointTool(
            name: .sendGroupMessage, title: "Send a group message",
            description: "Sends a message to one of your groups; its coordination pattern picks who answers. "
                + "Answers when the turns are over.",
            permission: "send_messages",
            inputSchema: API.object(["group_id": API.string("A group id (group_…)."), "content": ToolArguments.content],
                                       required: ["group_id", "content"]),
            outputSchema: turn),
    ]

    static func named(_ name: String) -> EndpointTool? { all.first { $0.name.rawValue == name } }
}
