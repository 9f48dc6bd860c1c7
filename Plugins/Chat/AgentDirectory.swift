import PluginABI
import PluginKit

/// The agents plugin's "agents.v1" service as the chat plugin uses it (its chat slots): the
/// agent with its core memory, its state and message count, and the memory tools. Chat never
/// reads the agents plugin's tables.
struct AgentDirectory: Sendable {
    private let agents: ServiceClient<pattern_agents_v1>

    /// Looks the service up (in setUp; `requires` loads the agents plugin first).
    init(_ host: PluginHost) throws {
        agents = try ServiceClient(host, PATTERN_AGENTS_SERVICE_V1, needs: \.memory_tool, providedBy: "agents")
    }

    /// One of `ownerID`'s agents by id, nil when it is missing or another user's.
    func agent(id: String, ownerID: String) throws(HTTPError) -> AgentRecord? {
        let (status, json) = ServiceJSON.collect { receive, userdata in
            withABIString(id) { idText in
                withABIString(ownerID) { agents.table.agent_record(idText, $0, receive, userdata) }
            }
        }
        return try Self.record(status, json)
    }

    /// One of `ownerID`'s agents by name, nil when there is none.
    func agent(named name: String, ownerID: String) throws(HTTPError) -> AgentRecord? {
        let (status, json) = ServiceJSON.collect { receive, userdata in
            withABIString(ownerID) { owner in
                withABIString(name) { agents.table.find_agent_by_name(owner, $0, receive, userdata) }
            }
        }
        return try Self.record(status, json)
    }

    enum StateChange: Sendable, Equatable { case done, suspended, missing, failed }

    /// Sets "ready", "processing" or {"error": …}; the agents plugin publishes the change.
    @discardableResult
    func setState(agentID: String, _ state: JSONValue) -> StateChange {
        let status = withABIString(agentID) { id in
            withABIString(state.jsonText) { agents.table.set_state(id, $0) }
        }
        switch status {
        case PATTERN_OK: return .done
        case PATTERN_STATE: return .suspended
        case PATTERN_NOT_FOUND: return .missing
        default: return .failed
        }
    }

    func recordActivity(agentID: String, messages: Int) {
        _ = withABIString(agentID) { agents.table.record_activity($0, Int64(messages)) }
    }

    /// Runs a memory tool; nil when the service failed (the database), else the answer.
    func memoryTool(agentID: String, ownerID: String, tool: String, arguments: JSONValue) -> (result: String, isError: Bool)? {
        let request: JSONValue = ["agent_id": .string(agentID), "owner_id": .string(ownerID), "tool": .string(tool),
                                  "arguments": arguments]
        let (status, json) = ServiceJSON.collect { receive, userdata in
            withABIString(request.jsonText) { agents.table.memory_tool($0, receive, userdata) }
        }
        guard status == PATTERN_OK, let answer = json.flatMap({ JSONValue(parsing: $0) }) else {
            if status == PATTERN_NOT_FOUND { return ("The agent no longer exists.", true) }
            return nil
        }
        return (answer["result"]?.stringValue ?? "", answer["is_error"] == .bool(true))
    }

    // MARK: Calls

    private static func record(_ status: pattern_status, _ json: String?) throws(HTTPError) -> AgentRecord? {
        switch status {
        case PATTERN_OK:
            guard let record = json.flatMap({ JSONValue(parsing: $0) }).flatMap(AgentRecord.init) else {
                throw HTTPError(status: 500, type: "internal_error", message: "The server failed to handle this request.")
            }
            return record
        case PATTERN_NOT_FOUND: return nil
        case PATTERN_BUSY: throw HTTPError(status: 503, type: "service_unavailable", message: "The database is busy; retry shortly.")
        default: throw HTTPError(status: 500, type: "internal_error", message: "The server failed to handle this request.")
        }
    }
}
