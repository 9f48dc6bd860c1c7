import PluginKit

/// What a method answers (its result's JSON): now, or later (a chat turn: `start` is handed the
/// function to call once with the result, from whichever thread finishes the turn).
enum MethodAnswer: Sendable {
    case now(ServiceAnswer)
    case later(start: @Sendable (_ finish: @escaping @Sendable (ServiceAnswer) -> Void) -> Void)
}

/// The JSON-RPC methods a /mcp session answers (initialize is the endpoint's, as it opens the
/// session): ping, the tools and the memory resources. Anything else is -32601.
struct EndpointMethods: Sendable {
    let tools: EndpointToolRunner
    let resources: MemoryResources
    /// Tools per `tools/list` page.
    let toolsPerPage: Int

    func answer(_ method: String, _ params: JSONValue?, caller: Principal) throws(JSONRPCError) -> MethodAnswer {
        switch method {
        case "ping":
            return .now(ServiceAnswer([:]))
        case "tools/list":
            return .now(ServiceAnswer(try listTools(params)))
        case "tools/call":
            return try tools.call(params, caller: caller)
        case "resources/list":
            return .now(ServiceAnswer(try resources.list(params, caller: caller)))
        case "resources/read":
            return .now(ServiceAnswer(try resources.read(params, caller: caller)))
        case "resources/templates/list":
            return .now(ServiceAnswer(["resourceTemplates": [MemoryResources.template]]))
        default:
            throw .methodNotFound(method)
        }
    }

    /// One page of the catalog; `nextCursor` while more follow.
    private func listTools(_ params: JSONValue?) throws(JSONRPCError) -> JSONValue {
        let all = EndpointToolCatalog.all
        let start = try ListCursor.position(params, list: "tools", first: 0)
        guard start < all.count else { throw .invalidParams("cursor is past the end of the list") }
        let end = min(start + toolsPerPage, all.count)
        var result: [String: JSONValue] = ["tools": .array(all[start..<end].map(\.json))]
        if end < all.count { result["nextCursor"] = .string(ListCursor.make(list: "tools", position: end)) }
        return .object(result)
    }

    /// The `initialize` result for the revision agreed (the client's when we speak it, else
    /// our latest, which a client that cannot speak it will refuse).
    static func initializeResult(_ params: JSONValue?, serverVersion: String) -> JSONValue {
        let requested = params?["protocolVersion"]?.stringValue ?? ""
        let version = MCPProtocolVersion.isSupported(requested) ? requested : MCPProtocolVersion.latest
        return [
            "protocolVersion": .string(version),
            "capabilities": ["tools": ["listChanged": false], "resources": ["listChanged": false, "subscribe": false]],
            "serverInfo": ["name": "pattern-server", "title": "Pattern Server", "version": .string(serverVersion)],
            "instructions": "Tools and memory of your Pattern agents, under the permissions of your token or API key.",
        ]
    }
}
