import PluginABI
import PluginKit
import Synchronization

/// The "agents.v1" named service (pattern_agents_service.h): lets other plugins ask whether
/// an agent exists and whose it is, without reading this plugin's tables.
enum AgentsService {
    static let name = "agents.v1"

    /// The store the C functions read through; set once in setUp.
    private static let store = Mutex<AgentStore?>(nil)

    static func provide(_ host: PluginHost, store: AgentStore) throws {
        self.store.withLock { $0 = store }
        // Lives as long as the process, as the ABI requires of a vtable.
        let table = UnsafeMutablePointer<pattern_agents_v1>.allocate(capacity: 1)
        table.initialize(to: pattern_agents_v1(
            struct_size: UInt32(MemoryLayout<pattern_agents_v1>.size),
            find_agent: { id, owner, receive, userdata in AgentsService.findAgent(id, owner, receive, userdata) },
            count_agents: { owner, count in AgentsService.countAgents(owner, count) }))
        try host.provideService(name, vtable: UnsafeRawPointer(table))
    }

    private static func findAgent(_ id: pattern_str, _ owner: pattern_str, _ receive: pattern_agent_info_fn?,
                                  _ userdata: UnsafeMutableRawPointer?) -> pattern_status {
        guard let store = store.withLock({ $0 }) else { return PATTERN_STATE }
        let ownerID = owner.string
        let agent: Agent?
        do {
            agent = try store.find(id: id.string, ownerID: ownerID.isEmpty ? nil : ownerID, in: store.database)
        } catch {
            return error.kind == .busy ? PATTERN_BUSY : PATTERN_INTERNAL
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
        guard let store = store.withLock({ $0 }) else { return PATTERN_STATE }
        let ownerID = owner.string
        do {
            count?.pointee = try store.count(ownerID: ownerID.isEmpty ? nil : ownerID)
            return PATTERN_OK
        } catch {
            return error.kind == .busy ? PATTERN_BUSY : PATTERN_INTERNAL
        }
    }
}
