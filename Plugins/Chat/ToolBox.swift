import PluginKit

/// The tools an agent's `tools` list enables, and running the calls the model makes:
/// the built-ins `send_message`, `block_edit`, `recall` and `search` (memory through
/// agents.v1, conversations through this plugin's own messages), and `mcp:<server>/<tool>`
/// through the mcp plugin's "mcp.v1" service. A call that fails for any reason is a result
/// with `isError` the model reads, never a failed turn.
struct ToolBox: Sendable {
    let agents: AgentDirectory
    let messages: MessageStore
    let mcp: MCPTools

    static let sendMessage = "send_message"
    /// Most bytes of one tool result kept (and sent to the model).
    static let maxResultBytes = 64 * 1024

    private typealias Schema = JSONValue

    static let builtins: [String: (description: String, parameters: JSONValue)] = [
        "send_message": (
            "Send your reply to the user. This ends your turn.",
            object(["content": ["type": "string", "description": "The reply's text"]], required: ["content"])),
        "block_edit": (
            "Edit one of your core memory blocks: append a line, or replace text in it.",
            object([
                "label": ["type": "string", "description": "The block's label"],
                "operation": ["type": "string", "enum": ["append", "replace"]],
                "content": ["type": "string", "description": "Text to append, or the replacement"],
                "old_content": ["type": "string", "description": "replace only: the exact text to replace"],
            ], required: ["label", "operation", "content"])),
        "recall": (
            "Your archival memory: insert a passage, or search the passages.",
            object([
                "op": ["type": "string", "enum": ["insert", "search"]],
                "content": ["type": "string", "description": "insert: the passage"],
                "query": ["type": "string", "description": "search: words to look for"],
                "limit": ["type": "integer", "minimum": 1, "maximum": 20],
            ], required: ["op"])),
        "search": (
            "Search your past conversations, your archival memory, or both.",
            object([
                "domain": ["type": "string", "enum": ["conversations", "archival_memory", "all"]],
                "query": ["type": "string"],
                "limit": ["type": "integer", "minimum": 1, "maximum": 20],
            ], required: ["domain", "query"])),
    ]

    private static func object(_ properties: [String: JSONValue], required: [String]) -> JSONValue {
        ["type": "object", "properties": .object(properties), "required": .array(required.map { .string($0) })]
    }

    /// providers.v1's `tools` for the agent: its built-ins in the order it lists them, then
    /// the MCP tools its owner's connected servers offer now.
    func definitions(for agent: AgentRecord) -> [JSONValue] {
        Self.builtinDefinitions(for: agent.tools) + mcp.definitions(ownerID: agent.ownerID, tools: agent.tools)
    }

    static func builtinDefinitions(for tools: [String]) -> [JSONValue] {
        var seen: Set<String> = []
        return tools.compactMap { name in
            guard let builtin = builtins[name], seen.insert(name).inserted else { return nil }
            return ["name": .string(name), "description": .string(builtin.description), "parameters": builtin.parameters]
        }
    }

    /// Runs one call for `agent` and answers its result.
    func run(_ call: ToolCall, agent: AgentRecord) async -> ToolResult {
        let (text, isError) = call.name.hasPrefix("mcp:") ? await mcp(call, agent) : outcome(call, agent)
        return ToolResult(callID: call.id, name: call.name, result: Self.bounded(text), isError: isError)
    }

    /// `text` cut to at most `maxResultBytes` and marked "[truncated]", at a character's start so
    /// that no character is broken in two.
    static func bounded(_ text: String) -> String {
        let bytes = text.utf8
        guard bytes.count > maxResultBytes else { return text }
        var end = bytes.index(bytes.startIndex, offsetBy: maxResultBytes)
        while end > bytes.startIndex, bytes[end] & 0xC0 == 0x80 { bytes.formIndex(before: &end) }  // a continuation byte
        return String(Substring(bytes[..<end])) + "\n[truncated]"
    }

    private func outcome(_ call: ToolCall, _ agent: AgentRecord) -> (String, Bool) {
        guard Self.builtins[call.name] != nil, agent.tools.contains(call.name) else {
            return ("The tool \"\(call.name)\" is not available to this agent.", true)
        }
        guard let arguments = JSONValue(parsing: call.arguments), case .object = arguments else {
            return ("The arguments of \(call.name) must be a JSON object.", true)
        }
        switch call.name {
        case "send_message":
            guard let content = arguments["content"]?.stringValue, !content.isEmpty else {
                return ("send_message needs content: a non-empty string.", true)
            }
            return ("Sent.", false)
        case "block_edit":
            return memory(agent, "block_edit", arguments)
        case "recall":
            return memory(agent, "recall", arguments)
        default:
            return search(agent, arguments)
        }
    }

    private func memory(_ agent: AgentRecord, _ tool: String, _ arguments: JSONValue) -> (String, Bool) {
        agents.memoryTool(agentID: agent.id, ownerID: agent.ownerID, tool: tool, arguments: arguments)
            ?? ("Memory is unavailable right now; try again later.", true)
    }

    private func search(_ agent: AgentRecord, _ arguments: JSONValue) -> (String, Bool) {
        guard let query = arguments["query"]?.stringValue, SearchIndex.matchExpression(query) != nil else {
            return ("search needs query: a string with at least one word.", true)
        }
        let limit: Int64 = if case .integer(let value)? = arguments["limit"] { max(1, min(value, 20)) } else { 5 }
        switch arguments["domain"]?.stringValue {
        case "conversations":
            return conversations(agent, query, Int(limit))
        case "archival_memory":
            return memory(agent, "search_archival", ["query": .string(query), "limit": .integer(limit)])
        case "all":
            let (found, failed) = conversations(agent, query, Int(limit))
            if failed { return (found, true) }
            let (archival, archivalFailed) = memory(agent, "search_archival", ["query": .string(query), "limit": .integer(limit)])
            if archivalFailed { return (archival, true) }
            let both: JSONValue = ["conversations": JSONValue(parsing: found) ?? [], "archival_memory": JSONValue(parsing: archival) ?? []]
            return (both.jsonText, false)
        default:
            return ("search needs domain: \"conversations\", \"archival_memory\" or \"all\".", true)
        }
    }

    private func conversations(_ agent: AgentRecord, _ query: String, _ limit: Int) -> (String, Bool) {
        let filter = MessageStore.SearchFilter(ownerID: agent.ownerID, query: query, agentID: agent.id)
        guard let found = try? messages.search(filter, page: PageRequest(limit: limit, sortBy: "created_at")) else {
            return ("Conversation search is unavailable right now; try again later.", true)
        }
        // What was said, not the tool traffic around it.
        let said = found.messages.filter { $0.role == .user || ($0.role == .assistant && $0.content.tagged["Text"] != nil) }
        let items: [JSONValue] = said.map {
            ["role": .string($0.role.rawValue), "content": .string($0.content.text), "created_at": .string($0.createdAt)]
        }
        return (JSONValue.array(items).jsonText, false)
    }

    /// `mcp:<server>/<tool>`: called through the mcp plugin, if the agent lists it.
    private func mcp(_ call: ToolCall, _ agent: AgentRecord) async -> (String, Bool) {
        guard agent.tools.contains(call.name) else {
            return ("The tool \"\(call.name)\" is not available to this agent.", true)
        }
        guard let arguments = JSONValue(parsing: call.arguments), case .object = arguments else {
            return ("The arguments of \(call.name) must be a JSON object.", true)
        }
        return await mcp.call(ownerID: agent.ownerID, name: call.name, arguments: arguments)
    }
}
