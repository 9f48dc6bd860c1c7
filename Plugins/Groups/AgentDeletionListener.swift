import Foundation
import PluginKit

/// Removes a deleted agent from every group: the agents plugin publishes `agent.deleted`
/// after its transaction commits, on the deleting request's thread, so this runs its own
/// transaction there and then announces each removal on the group's topic.
struct AgentDeletionListener: Sendable {
    static let topic = "agent.deleted"

    let store: GroupStore
    let events: GroupEvents
    let host: PluginHost

    func register() throws {
        try host.subscribe(prefix: Self.topic) { topic, json in
            guard topic == Self.topic else { return }
            handle(json)
        }
    }

    func handle(_ json: [UInt8]) {
        guard let event = JSONValue(parsing: String(decoding: json, as: UTF8.self)),
              let agentID = event["agent_id"]?.stringValue, !agentID.isEmpty
        else {
            host.log(.warn, "ignored an agent.deleted event without agent_id")
            return
        }
        removeFromEveryGroup(agentID: agentID)
    }

    /// Removes the agent's memberships and announces each removal.
    func removeFromEveryGroup(agentID: String) {
        do {
            let now = Timestamp.rfc3339(Date())
            let groups = try store.database.transaction { transaction in
                let groups = try store.removeEverywhere(agentID: agentID, in: transaction)
                for group in groups { try store.touch(id: group, at: now, in: transaction) }
                return groups
            }
            for group in groups { events.memberRemoved(groupID: group, agentID: agentID) }
        } catch {
            host.log(.error, "could not remove deleted agent \(agentID) from its groups: \(error)")
        }
    }
}
