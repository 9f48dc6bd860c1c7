import PluginKit

/// Deletes a deleted agent's messages: the agents plugin publishes `agent.deleted` after its
/// transaction commits, on the deleting request's thread.
struct MessageDeletion: Sendable {
    static let topic = "agent.deleted"

    let store: MessageStore
    let host: PluginHost

    func register() throws {
        try host.subscribe(prefix: Self.topic) { topic, json in
            guard topic == Self.topic else { return }
            guard let event = JSONValue(parsing: json), let agentID = event["agent_id"]?.stringValue, !agentID.isEmpty else {
                host.log(.warn, "ignored an agent.deleted event without agent_id")
                return
            }
            do {
                _ = try store.deleteAll(agentID: agentID)
            } catch {
                host.log(.error, "could not delete the messages of deleted agent \(agentID): \(error)")
            }
        }
    }
}
