import Foundation
import PluginKit

/// API.md's WebSocket events for a group, on topic `group:<id>`. Published after the
/// transaction that made the change has committed.
struct GroupEvents: Sendable {
    let host: PluginHost

    func memberAdded(groupID: String, agentID: String, role: JSONValue) {
        host.publish(topic: "group:\(groupID)", json: JSONValue.object([
            "type": "group_member_added", "group_id": .string(groupID), "agent_id": .string(agentID), "role": role,
            "timestamp": .string(Timestamp.rfc3339(Date())),
        ]).jsonBytes)
    }

    func memberRemoved(groupID: String, agentID: String) {
        host.publish(topic: "group:\(groupID)", json: JSONValue.object([
            "type": "group_member_removed", "group_id": .string(groupID), "agent_id": .string(agentID),
            "timestamp": .string(Timestamp.rfc3339(Date())),
        ]).jsonBytes)
    }
}
