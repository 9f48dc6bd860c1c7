import Foundation
import PluginKit

/// What the agents plugin publishes on the host bus (see pattern_agents_service.h): API.md's
/// WebSocket events on `agent:<id>`, and `agent.deleted` for other plugins. Always called
/// after the transaction has committed, so subscribers see the change and may write.
struct AgentEvents: Sendable {
    let host: PluginHost

    static let deletedTopic = "agent.deleted"

    func stateChanged(agentID: String, from old: AgentState, to new: AgentState) {
        host.publish(topic: "agent:\(agentID)", json: JSONValue.object([
            "type": "agent_state_changed", "agent_id": .string(agentID), "old_state": old.json,
            "new_state": new.json, "timestamp": .string(Timestamp.rfc3339(Date())),
        ]).jsonBytes)
    }

    func memoryUpdated(agentID: String, memoryType: String) {
        host.publish(topic: "agent:\(agentID)", json: JSONValue.object([
            "type": "memory_updated", "agent_id": .string(agentID), "memory_type": .string(memoryType),
            "timestamp": .string(Timestamp.rfc3339(Date())),
        ]).jsonBytes)
    }

    func deleted(agentID: String, ownerID: String) {
        host.publish(topic: Self.deletedTopic, json: JSONValue.object([
            "type": "agent_deleted", "agent_id": .string(agentID), "owner_id": .string(ownerID),
            "timestamp": .string(Timestamp.rfc3339(Date())),
        ]).jsonBytes)
    }
}
