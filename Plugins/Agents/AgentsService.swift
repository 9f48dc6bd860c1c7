import Foundation
import PluginABI
import PluginKit
import Synchronization

/// The "agents.v1" named service (pattern_agents_service.h): lets other plugins ask about
/// agents, and lets the chat plugin run their turns, without reading this plugin's tables.
enum AgentsService {
    static let name = PATTERN_AGENTS_SERVICE_V1

    /// What the C functions work through; set once in setUp.
    struct Parts: Sendable {
        let store: AgentStore
        let memory: MemoryStore
        let tools: MemoryTools
        let events: AgentEvents
        /// The REST routes whose code the API slots run.
        let agentRoutes: AgentRoutes
        let memoryRoutes: MemoryRoutes
    }

    private static let parts = Mutex<Parts?>(nil)

    static func provide(_ host: PluginHost, parts: Parts) throws {
        self.parts.withLock { $0 = parts }
        // Lives as long as the process, as the ABI requires of a vtable.
        let table = UnsafeMutablePointer<pattern_agents_v1>.allocate(capacity: 1)
        table.initialize(to: pattern_agents_v1(
            struct_size: UInt32(MemoryLayout<pattern_agents_v1>.size),
            find_agent: { id, owner, receive, userdata in AgentsService.findAgent(id, owner, receive, userdata) },
            count_agents: { owner, count in AgentsService.countAgents(owner, count) },
            agent_record: { id, owner, receive, userdata in
                AgentsService.record(owner: owner.string, receive, userdata) { store in
                    let owner = owner.string
                    return try store.find(id: id.string, ownerID: owner.isEmpty ? nil : owner, in: store.database)
                }
            },
            find_agent_by_name: { owner, name, receive, userdata in
                AgentsService.record(owner: owner.string, receive, userdata) { store in
                    try store.find(name: name.string, ownerID: owner.string)
                }
            },
            set_state: { id, state in AgentsService.setState(id.string, state.string) },
            record_activity: { id, messages in AgentsService.recordActivity(id.string, messages) },
            memory_tool: { request, receive, userdata in AgentsService.memoryTool(request.string, receive, userdata) },
            list_agents: { owner, query, receive, userdata in
                AgentsService.answer(receive, userdata) { parts throws(HTTPError) in
                    try parts.agentRoutes.page(ownerID: owner.string,
                                               query: ServiceArguments(parsing: query.byteArray).query)
                }
            },
            create_agent: { owner, body, receive, userdata in
                AgentsService.answer(receive, userdata) { parts throws(HTTPError) in
                    try parts.agentRoutes.create(ownerID: owner.string, body: AgentsService.json(body)).json
                }
            },
            memory_blocks: { id, owner, receive, userdata in
                AgentsService.answer(receive, userdata) { parts throws(HTTPError) in
                    .array(try parts.memoryRoutes.coreBlocks(agentID: id.string, ownerID: owner.string).map(\.json))
                }
            },
            update_memory: { id, owner, body, receive, userdata in
                AgentsService.answer(receive, userdata) { parts throws(HTTPError) in
                    try parts.memoryRoutes.update(agentID: id.string, ownerID: owner.string, body: AgentsService.json(body),
                                                  precondition: nil).json
                }
            }))
        try host.provideService(name, vtable: UnsafeRawPointer(table))
    }

    // MARK: API slots

    /// Runs a route's code with the parts; `receive` gets its answer or its refusal.
    private static func answer(_ receive: pattern_agents_json_fn?, _ userdata: UnsafeMutableRawPointer?,
                               _ body: (Parts) throws(HTTPError) -> JSONValue) -> pattern_status {
        guard let parts = parts.withLock({ $0 }) else { return PATTERN_STATE }
        return ServiceJSON.answer(receive, userdata) { () throws(HTTPError) in try body(parts) }
    }

    /// A JSON argument; text that is not JSON is the validation error a route gives a bad body.
    private static func json(_ text: pattern_str) throws(HTTPError) -> JSONValue {
        guard let value = JSONValue(parsing: text.byteArray) else { throw .validation("body", "must be JSON") }
        return value
    }

    private static func status(_ error: any Error) -> pattern_status {
        (error as? DatabaseFailure)?.kind == .busy ? PATTERN_BUSY : PATTERN_INTERNAL
    }

    private static func findAgent(_ id: pattern_str, _ owner: pattern_str, _ receive: pattern_agent_info_fn?,
                                  _ userdata: UnsafeMutableRawPointer?) -> pattern_status {
        guard let store = parts.withLock({ $0 })?.store else { return PATTERN_STATE }
        let ownerID = owner.string
        let agent: Agent?
        do {
            agent = try store.find(id: id.string, ownerID: ownerID.isEmpty ? nil : ownerID, in: store.database)
        } catch {
            return status(error)
        }
        guard let agent else { return PATTERN_NOT_FOUND }
        guard let receive else { return PATTERN_OK }
        withABIString(agent.id) { idText in
            withABIString(agent.ownerID) { ownerText in
                withABIString(agent.name) { nameText in
                    withABIString(agent.agentType) { typeText in
                        var info = pattern_agent_info(
                            struct_size: UInt32(MemoryLayout<pattern_agent_info>.size), id: idText,
                            owner_id: ownerText, name: nameText, agent_type: typeText,
                            is_active: agent.state.isActive ? 1 : 0)
                        receive(&info, userdata)
                    }
                }
            }
        }
        return PATTERN_OK
    }

    private static func countAgents(_ owner: pattern_str, _ count: UnsafeMutablePointer<Int64>?) -> pattern_status {
        guard let store = parts.withLock({ $0 })?.store else { return PATTERN_STATE }
        let ownerID = owner.string
        do {
            count?.pointee = try store.count(ownerID: ownerID.isEmpty ? nil : ownerID)
            return PATTERN_OK
        } catch {
            return status(error)
        }
    }

    // MARK: Chat slots

    /// The agent `find` reads, with its core memory, as the agent record JSON.
    private static func record(owner: String, _ receive: pattern_agents_json_fn?, _ userdata: UnsafeMutableRawPointer?,
                               _ find: (AgentStore) throws -> Agent?) -> pattern_status {
        guard let parts = parts.withLock({ $0 }) else { return PATTERN_STATE }
        let json: JSONValue
        do {
            guard let agent = try find(parts.store) else { return PATTERN_NOT_FOUND }
            let blocks = try parts.memory.blocks(agentID: agent.id)
            guard case .object(var members) = agent.json else { return PATTERN_INTERNAL }
            members["memory"] = .array(blocks.map { ["label": .string($0.memoryKey), "content": .string($0.content)] })
            json = .object(members)
        } catch {
            return status(error)
        }
        if let receive { withABIString(json.jsonText) { receive($0, userdata) } }
        return PATTERN_OK
    }

    private static func setState(_ id: String, _ stateJSON: String) -> pattern_status {
        guard let parts = parts.withLock({ $0 }) else { return PATTERN_STATE }
        guard let value = JSONValue(parsing: stateJSON), let state = try? AgentState(value, field: "state") else {
            return PATTERN_INVALID
        }
        let store = parts.store
        let change: (old: AgentState, new: AgentState)?
        do {
            change = try store.database.transaction { transaction -> (AgentState, AgentState)? in
                guard let current = try store.find(id: id, ownerID: nil, in: transaction) else { return nil }
                if current.state == .suspended && state != .suspended { throw SuspendedAgent() }
                guard current.state != state else { return (current.state, state) }
                _ = try store.setState(id: id, to: state, in: transaction)
                return (current.state, state)
            }
        } catch is SuspendedAgent {
            return PATTERN_STATE
        } catch {
            return status(error)
        }
        guard let change else { return PATTERN_NOT_FOUND }
        if change.old != change.new { parts.events.stateChanged(agentID: id, from: change.old, to: change.new) }
        return PATTERN_OK
    }

    private struct SuspendedAgent: Error {}

    private static func recordActivity(_ id: String, _ messages: Int64) -> pattern_status {
        guard let store = parts.withLock({ $0 })?.store else { return PATTERN_STATE }
        do {
            return try store.recordActivity(id: id, messages: messages, at: Timestamp.rfc3339(Date()))
                ? PATTERN_OK : PATTERN_NOT_FOUND
        } catch {
            return status(error)
        }
    }

    private static func memoryTool(_ request: String, _ receive: pattern_agents_json_fn?,
                                   _ userdata: UnsafeMutableRawPointer?) -> pattern_status {
        guard let parts = parts.withLock({ $0 }) else { return PATTERN_STATE }
        guard let call = MemoryTools.Call(json: request) else { return PATTERN_INVALID }
        let answer: MemoryTools.Answer
        do {
            guard try parts.store.exists(id: call.agentID, ownerID: call.ownerID, in: parts.store.database) else {
                return PATTERN_NOT_FOUND
            }
            answer = try parts.tools.run(call)
        } catch {
            return status(error)
        }
        let json: JSONValue = ["result": .string(answer.result), "is_error": .bool(answer.isError)]
        if let receive { withABIString(json.jsonText) { receive($0, userdata) } }
        return PATTERN_OK
    }
}
