import PluginKit

/// Runs a `tools/call`: the caller's permission first, then the arguments, then the other
/// plugin's service. Every failure of the call itself is a tool result with `isError: true`
/// naming the field or the permission; only an unknown tool is a protocol error (-32602).
struct EndpointToolRunner: Sendable {
    let services: PatternServices

    func call(_ params: JSONValue?, caller: Principal) throws(JSONRPCError) -> MethodAnswer {
        guard let name = params?["name"]?.stringValue else { throw .invalidParams("name must be a tool name") }
        guard let tool = EndpointToolCatalog.named(name) else { throw .invalidParams("unknown tool \(name)") }
        do {
            try caller.require(tool.permission)
            let arguments = try Self.arguments(params?["arguments"])
            return try run(tool.name, arguments, ownerID: caller.userID)
        } catch {
            return .now(EndpointTool.failure(error))
        }
    }

    /// The call's `arguments` object (absent: none); its members are named as the tool's
    /// input schema names them.
    private static func arguments(_ value: JSONValue?) throws(ToolFailure) -> JSONFields {
        guard let fields = try? JSONFields(value ?? [:]) else {
            throw ToolFailure(.invalid, "arguments: must be an object")
        }
        return fields
    }

    private func run(_ name: EndpointToolName, _ arguments: JSONFields, ownerID owner: String) throws(ToolFailure) -> MethodAnswer {
        switch name {
        case .listAgents:
            return .now(EndpointTool.result(try services.listAgents(ownerID: owner, query: .object(arguments.members))))
        case .getAgent:
            return .now(EndpointTool.result(try services.agent(Self.string(arguments, "agent_id"), ownerID: owner)))
        case .createAgent:
            return .now(EndpointTool.result(try services.createAgent(ownerID: owner, body: .object(arguments.members))))
        case .sendMessage:
            return try send(owner, target: Self.string(arguments, "target"), arguments)
        case .sendGroupMessage:
            let group = try Self.string(arguments, "group_id")
            guard ResourceID.isValid(group, prefix: "group") else {
                throw ToolFailure(.invalid, "group_id: must be a group id (group_…)")
            }
            return try send(owner, target: group, arguments)
        case .getMessages:
            let query: JSONValue = ["target": .string(try Self.string(arguments, "target")),
                                    "limit": arguments.value("limit") ?? .null]
            return .now(EndpointTool.result(try services.history(ownerID: owner, query: query)))
        case .searchMessages:
            _ = try Self.string(arguments, "query")
            return .now(EndpointTool.result(try services.search(ownerID: owner, query: .object(arguments.members))))
        case .readMemory:
            let agentID = try Self.string(arguments, "agent_id")
            let blocks = try services.memoryBlocks(agentID: agentID, ownerID: owner)
            return .now(EndpointTool.result(.object(["agent_id": ServiceAnswer(.string(agentID)), "blocks": blocks])))
        case .updateMemory:
            let agentID = try Self.string(arguments, "agent_id")
            let body = JSONValue.object(arguments.members.filter { $0.key != "agent_id" })
            return .now(EndpointTool.result(try services.updateMemory(agentID: agentID, ownerID: owner, body: body)))
        case .listGroups:
            return .now(EndpointTool.result(try services.listGroups(ownerID: owner, query: .object(arguments.members))))
        }
    }

    /// A chat turn: answered when it is over, so no worker waits for the model meanwhile.
    private func send(_ owner: String, target: String, _ arguments: JSONFields) throws(ToolFailure) -> MethodAnswer {
        guard let content = arguments.value("content") else { throw ToolFailure(.invalid, "content: is required") }
        let services = services
        return .later { finish in
            do throws(ToolFailure) {
                try services.send(ownerID: owner, target: target, content: content) { outcome in
                    switch outcome {
                    case .success(let body): finish(EndpointTool.result(body))
                    case .failure(let failure): finish(EndpointTool.failure(failure))
                    }
                }
            } catch {
                finish(EndpointTool.failure(error))
            }
        }
    }

    private static func string(_ arguments: JSONFields, _ key: String) throws(ToolFailure) -> String {
        do throws(HTTPError) {
            let text = try arguments.requiredString(key)
            guard !text.isEmpty else { throw HTTPError.validation(arguments.field(key), "must not be empty") }
            return text
        } catch {
            throw ToolFailure(error)
        }
    }
}
