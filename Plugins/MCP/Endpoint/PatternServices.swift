import PluginABI
import PluginKit

/// The other plugins' named services the /mcp tools run on (agents.v1, groups.v1, chat.v1),
/// looked up per call: a deployment without one of those plugins answers the tool with
/// "needs the … plugin" instead of failing to start. Each call runs the REST route's own code
/// for `ownerID`; the caller has checked the permission. Answers stay the provider's JSON text.
struct PatternServices: Sendable {
    let host: PluginHost

    // MARK: agents.v1

    func listAgents(ownerID: String, query: JSONValue) throws(ToolFailure) -> ServiceAnswer {
        let agents = try agentsService()
        return try Self.collect { receive, userdata in
            withABIString(ownerID) { owner in
                withABIBytes(query.jsonBytes) { agents.table.list_agents(owner, $0, receive, userdata) }
            }
        }
    }

    /// The AgentResponse of `ownerID`'s agent `agentID`.
    func agent(_ agentID: String, ownerID: String) throws(ToolFailure) -> ServiceAnswer {
        let agents = try agentsService()
        let record = try Self.collect(notFound: "No agent with this id.") { receive, userdata in
            withABIString(agentID) { id in withABIString(ownerID) { agents.table.agent_record(id, $0, receive, userdata) } }
        }
        guard case .object(var members)? = record.value else { return record }
        members["memory"] = nil  // the record's extra for chat turns; read_memory answers it
        return ServiceAnswer(.object(members))
    }

    func createAgent(ownerID: String, body: JSONValue) throws(ToolFailure) -> ServiceAnswer {
        let agents = try agentsService()
        return try Self.collect { receive, userdata in
            withABIString(ownerID) { owner in
                withABIBytes(body.jsonBytes) { agents.table.create_agent(owner, $0, receive, userdata) }
            }
        }
    }

    func memoryBlocks(agentID: String, ownerID: String) throws(ToolFailure) -> ServiceAnswer {
        let agents = try agentsService()
        return try Self.collect { receive, userdata in
            withABIString(agentID) { id in withABIString(ownerID) { agents.table.memory_blocks(id, $0, receive, userdata) } }
        }
    }

    func updateMemory(agentID: String, ownerID: String, body: JSONValue) throws(ToolFailure) -> ServiceAnswer {
        let agents = try agentsService()
        return try Self.collect { receive, userdata in
            withABIString(agentID) { id in
                withABIString(ownerID) { owner in
                    withABIBytes(body.jsonBytes) { agents.table.update_memory(id, owner, $0, receive, userdata) }
                }
            }
        }
    }

    // MARK: groups.v1

    func listGroups(ownerID: String, query: JSONValue) throws(ToolFailure) -> ServiceAnswer {
        let groups = try client(pattern_groups_v1.self, PATTERN_GROUPS_SERVICE_V1, needs: \.list_groups, plugin: "groups")
        return try Self.collect { receive, userdata in
            withABIString(ownerID) { owner in
                withABIBytes(query.jsonBytes) { groups.table.list_groups(owner, $0, receive, userdata) }
            }
        }
    }

    // MARK: chat.v1

    func history(ownerID: String, query: JSONValue) throws(ToolFailure) -> ServiceAnswer {
        let chat = try chatService()
        return try Self.collect { receive, userdata in
            withABIString(ownerID) { owner in withABIBytes(query.jsonBytes) { chat.table.history(owner, $0, receive, userdata) } }
        }
    }

    func search(ownerID: String, query: JSONValue) throws(ToolFailure) -> ServiceAnswer {
        let chat = try chatService()
        return try Self.collect { receive, userdata in
            withABIString(ownerID) { owner in withABIBytes(query.jsonBytes) { chat.table.search(owner, $0, receive, userdata) } }
        }
    }

    /// Sends `content` to `target` as `ownerID`; `reply` gets the turn's answer once, when it is
    /// over (on a worker thread), or the refusal. Nothing waits here for the model.
    func send(ownerID: String, target: String, content: JSONValue,
              reply: @escaping @Sendable (Result<ServiceAnswer, ToolFailure>) -> Void) throws(ToolFailure) {
        let chat = try chatService()
        let request: JSONValue = ["owner_id": .string(ownerID), "target": .string(target), "content": content]
        let box = Unmanaged.passRetained(ReplyBox(reply)).toOpaque()
        _ = withABIBytes(request.jsonBytes) {
            chat.table.send_message($0, { status, json, userdata in
                // Called exactly once: the box goes with it.
                let box = Unmanaged<ReplyBox>.fromOpaque(userdata!).takeRetainedValue()
                box.reply(PatternServices.outcome(status, json.string, notFound: "Not found."))
            }, box)
        }
    }

    private final class ReplyBox: Sendable {
        let reply: @Sendable (Result<ServiceAnswer, ToolFailure>) -> Void
        init(_ reply: @escaping @Sendable (Result<ServiceAnswer, ToolFailure>) -> Void) { self.reply = reply }
    }

    // MARK: Plumbing

    private func agentsService() throws(ToolFailure) -> ServiceClient<pattern_agents_v1> {
        try client(pattern_agents_v1.self, PATTERN_AGENTS_SERVICE_V1, needs: \.update_memory, plugin: "agents")
    }

    private func chatService() throws(ToolFailure) -> ServiceClient<pattern_chat_v1> {
        try client(pattern_chat_v1.self, PATTERN_CHAT_SERVICE_V1, needs: \.search, plugin: "chat")
    }

    private func client<VTable, Slot>(_ type: VTable.Type, _ name: String, needs slot: KeyPath<VTable, Slot>,
                                      plugin: String) throws(ToolFailure) -> ServiceClient<VTable> {
        do {
            return try ServiceClient<VTable>(host, name, needs: slot, providedBy: plugin)
        } catch {
            throw ToolFailure(.unavailable, "This needs the \(plugin) plugin: \(error.description).")
        }
    }

    private static func collect(notFound: String = "Not found.",
                                _ body: (ServiceJSON.Callback, UnsafeMutableRawPointer) -> pattern_status)
        throws(ToolFailure) -> ServiceAnswer
    {
        let (status, json) = ServiceJSON.collect(body)
        return try outcome(status, json, notFound: notFound).get()
    }

    /// A service's answer: its JSON on PATTERN_OK, else its error JSON (the route's words) or
    /// words for the bare status.
    private static func outcome(_ status: pattern_status, _ json: String?, notFound: String) -> Result<ServiceAnswer, ToolFailure> {
        if status == PATTERN_OK, let json { return .success(ServiceAnswer(bytes: Array(json.utf8))) }
        if let value = json.flatMap({ JSONValue(parsing: $0) }), let error = HTTPError(serviceJSON: value) {
            return .failure(ToolFailure(error))
        }
        return .failure(status == PATTERN_NOT_FOUND
            ? ToolFailure(.notFound, notFound)
            : ToolFailure(.unavailable, "The server could not do this now (status \(status)); retry shortly."))
    }
}
