import PluginKit

/// The tools of API.md's /mcp, in `tools/list` order, each held to the REST route's permission.
enum EndpointToolCatalog {
    private static let text = JSONSchema.string
    private static let agent = JSONSchema.object([
        .property("id", text), .property("name", text), .property("agent_type", text), .property("owner_id", text),
        .property("tools", .array(text), required: false),
    ])
    private static let message = JSONSchema.object([
        .property("id", text), .property("role", text), .property("content", .object, required: false),
        .property("created_at", text),
    ])
    private static let memoryBlock = JSONSchema.object([
        .property("agent_id", text), .property("memory_key", text), .property("memory_type", text, required: false),
        .property("content", text), .property("version", Int.schema.minimum(1)), .property("updated_at", text, required: false),
    ])
    private static let turn = JSONSchema.object([
        .property("messages", .array(message)), .property("usage", JSONSchema.object.orNull(), required: false),
    ])
    private static let group = JSONSchema.object([
        .property("id", text), .property("name", text), .property("coordination_pattern", .object, required: false),
        .property("member_count", Int.schema.minimum(0), required: false),
    ])
    private static let agentID = JSONSchema.string.describe("An agent id (agent_…).")
    private static let target = JSONSchema.string.describe("An agent id, a group id or the name of one of your agents.")

    private static func page(of item: JSONSchema) -> JSONSchema { PageRequest.envelopeSchema(of: item) }

    static let all: [EndpointTool] = [
        EndpointTool(
            name: .listAgents, title: "List agents", description: "Lists your agents, one page at a time.",
            permission: "read_agents",
            inputSchema: .object(ToolArguments.page + [.property("sort_by", JSONSchema.string.describe(
                "created_at, updated_at, name, last_active_at or message_count."), required: false)]),
            outputSchema: page(of: agent)),
        EndpointTool(
            name: .getAgent, title: "Get an agent", description: "One of your agents by id.",
            permission: "read_agents", inputSchema: .object([.property("agent_id", agentID)]), outputSchema: agent),
        EndpointTool(
            name: .createAgent, title: "Create an agent",
            description: "Creates an agent (as POST /api/v1/agents): a name unique among your agents and a type "
                + "(generic, pattern, entropy, flux, archive, momentum, anchor or your own).",
            permission: "write_agents", inputSchema: AgentCreateArguments.schema, outputSchema: agent),
        EndpointTool(
            name: .sendMessage, title: "Send a message",
            description: "Sends a message to one of your agents (by id or name) or groups and answers when the "
                + "turn is over: every message it stored, the agent's reply last, and the token usage.",
            permission: "send_messages",
            inputSchema: .object([.property("target", target), .property("content", ToolArguments.content)]),
            outputSchema: turn),
        EndpointTool(
            name: .getMessages, title: "Get messages",
            description: "The latest messages of one of your agents or groups, oldest first.",
            permission: "read_messages",
            inputSchema: .object([
                .property("target", target),
                .property("limit", ToolArguments.limit("How many of the newest messages (default 50)."), required: false),
            ]),
            outputSchema: page(of: message)),
        EndpointTool(
            name: .searchMessages, title: "Search messages", description: "Full-text search over your messages.",
            permission: "read_messages",
            inputSchema: .object(ToolArguments.page + [.property("query", JSONSchema.string.describe("Words to find."))]),
            outputSchema: page(of: message)),
        EndpointTool(
            name: .readMemory, title: "Read core memory", description: "The core memory blocks of one of your agents.",
            permission: "read_memory", inputSchema: .object([.property("agent_id", agentID)]),
            outputSchema: .object([.property("agent_id", text), .property("blocks", .array(memoryBlock))])),
        EndpointTool(
            name: .updateMemory, title: "Update core memory",
            description: "Changes one core memory block (as POST /api/v1/agents/{id}/memory). operation is "
                + "{\"type\": \"append\", \"content\"}, {\"type\": \"replace\", \"old_content\", \"new_content\"}, "
                + "{\"type\": \"archive\", \"label\"?}, {\"type\": \"load_from_archival\", \"label\"} or "
                + "{\"type\": \"swap\", \"archive_key\", \"load_label\"}.",
            permission: "update_memory",
            inputSchema: .object([
                .property("agent_id", agentID),
                .property("memory_key", JSONSchema.string.describe("The block's label, e.g. persona or human.")),
                .property("operation", .object([.property("type", JSONSchema.string.oneOf(
                    ["append", "replace", "archive", "load_from_archival", "swap"]))])),
            ]),
            outputSchema: memoryBlock),
        EndpointTool(
            name: .listGroups, title: "List groups", description: "Lists your agent groups, one page at a time.",
            permission: "read_groups", inputSchema: .object(ToolArguments.page), outputSchema: page(of: group)),
        EndpointTool(
            name: .sendGroupMessage, title: "Send a group message",
            description: "Sends a message to one of your groups; its coordination pattern picks who answers. "
                + "Answers when the turns are over.",
            permission: "send_messages",
            inputSchema: .object([
                .property("group_id", JSONSchema.string.describe("A group id (group_…).")),
                .property("content", ToolArguments.content),
            ]),
            outputSchema: turn),
    ]

    /// create_agent's arguments: the REST body's fields, described for a model.
    private enum AgentCreateArguments {
        static let schema = JSONSchema.object([
            .property("name", JSONSchema.string.describe("1 to 128 characters.")),
            .property("agent_type", JSONSchema.string.describe("generic, pattern, … or a custom type.")),
            .property("description", text, required: false), .property("system_prompt", text, required: false),
            .property("model_provider", JSONSchema.string.describe("A provider id (prov_…) or kind (openai, anthropic)."),
                      required: false),
            .property("model_id", text, required: false), .property("tools", .array(text), required: false),
            .property("metadata", .object, required: false),
        ])
    }

    static func named(_ name: String) -> EndpointTool? { all.first { $0.name.rawValue == name } }
}
