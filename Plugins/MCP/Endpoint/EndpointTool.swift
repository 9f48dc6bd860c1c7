import PluginKit

/// The tools of API.md's /mcp, by their wire names.
enum EndpointToolName: String, Sendable {
    case listAgents = "list_agents", getAgent = "get_agent", createAgent = "create_agent"
    case sendMessage = "send_message", getMessages = "get_messages", searchMessages = "search_messages"
    case readMemory = "read_memory", updateMemory = "update_memory"
    case listGroups = "list_groups", sendGroupMessage = "send_group_message"
}

/// One tool /mcp offers: what `tools/list` shows of it (name, title, description, input and
/// output JSON Schemas) and the permission the matching REST route needs.
struct EndpointTool: Sendable {
    let name: EndpointToolName
    let title: String
    let description: String
    let permission: String
    let inputSchema: JSONSchema
    let outputSchema: JSONSchema

    var json: JSONValue {
        ["name": .string(name.rawValue), "title": .string(title), "description": .string(description),
         "inputSchema": inputSchema.standalone, "outputSchema": outputSchema.standalone]
    }

    /// A result (`CallToolResult` JSON) the client can read both ways: `structuredContent`
    /// (matching `outputSchema`) and the same JSON as a text item for clients that only show text.
    static func result(_ structured: ServiceAnswer) -> ServiceAnswer {
        let text = String(decoding: structured.bytes, as: UTF8.self)
        return .object(["content": ServiceAnswer([["type": "text", "text": .string(text)]]), "isError": ServiceAnswer(false),
                        "structuredContent": structured])
    }

    /// A failed call: `isError` with the reason as text (no structured content to validate).
    static func failure(_ failure: ToolFailure) -> ServiceAnswer {
        ServiceAnswer(["content": [["type": "text", "text": .string(failure.message)]], "isError": true])
    }
}

/// Argument schemas several tools share.
enum ToolArguments {
    static let page: [JSONSchema.Property] = [
        .property("page", Int.schema.minimum(1).describe("Page number, from 1."), required: false),
        .property("limit", limit("Items per page (default 20)."), required: false),
    ]

    static func limit(_ description: String) -> JSONSchema {
        Int.schema.range(1...Int64(PageRequest.maximumLimit)).describe(description)
    }

    /// A message's content: plain text, or Pattern's tagged form.
    static let content = JSONSchema.oneOf([.string, .object])
        .describe("The message: text, or Pattern's tagged form ({\"Text\": …} or {\"Parts\": […]}).")
}
