import PluginABI
import PluginKit

/// The agents plugin's "agents.v1" service (pattern_agents_service.h), as groups uses it:
/// is this agent one of the caller's, what is it called, is it suspended. Groups never reads
/// the agents plugin's tables.
struct AgentDirectory: Sendable {
    private let agents: ServiceClient<pattern_agents_v1>

    /// Looks the service up (in setUp, after the agents plugin, which `requires` loads first).
    init(_ host: PluginHost) throws {
        agents = try ServiceClient(host, PATTERN_AGENTS_SERVICE_V1, needs: \.find_agent, providedBy: "agents")
    }

    /// What groups needs to know of one agent.
    struct Facts: Sendable, Equatable {
        var name: String
        /// False when the agent is suspended.
        var isActive: Bool
    }

    /// The agent's name when `agentID` is one of `ownerID`'s agents, nil otherwise (missing or
    /// another user's). A database failure is a 503/500.
    func name(ofAgent agentID: String, ownedBy ownerID: String) throws(HTTPError) -> String? {
        try facts(ofAgent: agentID, ownedBy: ownerID)?.name
    }

    /// The agent's facts when `agentID` is one of `ownerID`'s agents, nil otherwise (missing or
    /// another user's). A database failure is a 503/500.
    func facts(ofAgent agentID: String, ownedBy ownerID: String) throws(HTTPError) -> Facts? {
        let receiver = Receiver()
        let status = withABIString(agentID) { id in
            withABIString(ownerID) { owner in
                agents.table.find_agent(id, owner, { info, userdata in
                    guard let info, let userdata else { return }
                    let receiver = Unmanaged<Receiver>.fromOpaque(userdata).takeUnretainedValue()
                    receiver.facts = Facts(name: info.pointee.name.string, isActive: info.pointee.is_active != 0)
                }, Unmanaged.passUnretained(receiver).toOpaque())
            }
        }
        switch status {
        case PATTERN_OK: return receiver.facts ?? Facts(name: "", isActive: true)
        case PATTERN_NOT_FOUND: return nil
        case PATTERN_BUSY: throw HTTPError(status: 503, type: "service_unavailable", message: "The database is busy; retry shortly.")
        default: throw HTTPError(status: 500, type: "internal_error", message: "The server failed to handle this request.")
        }
    }

    /// The names of the agents `references` name, when each is one of `ownerID`'s agents;
    /// otherwise a validation_error naming the first field whose agent is missing or another
    /// user's. One read per distinct id. Callers read before they open a write transaction,
    /// so a long list never holds up other users' writes.
    func names(of references: [AgentReference], ownedBy ownerID: String) throws(HTTPError) -> [String: String] {
        var names: [String: String] = [:]
        for reference in references where names[reference.id] == nil {
            guard let name = try name(ofAgent: reference.id, ownedBy: ownerID) else {
                throw .validation(reference.field, "must be one of your agents")
            }
            names[reference.id] = name
        }
        return names
    }

    /// Collects the callback's copy; used on one thread, within one call.
    private final class Receiver {
        var facts: Facts?
    }
}

/// An agent id as a request names it, with the field that names it (for the error).
struct AgentReference: Sendable, Equatable {
    var id: String
    var field: String
}
