import Foundation
import PluginKit

/// The agents plugin's part of the event socket: who may subscribe to `agent:<id>` (the
/// owner, and administrators, who may list anyone's agents), and the `set_typing` command,
/// which tells the agent's other subscribers with `agent_typing` (never echoed to the typist).
struct AgentsRealtime: Sendable {
    let host: PluginHost
    let store: AgentStore

    func register() throws {
        try host.topicAuthorizer(prefix: "agent:") { userID, isAdmin, topic in
            let agentID = String(topic.dropFirst("agent:".count))
            guard ResourceID.isValid(agentID, prefix: "agent") else { return false }
            return (try? store.find(id: agentID, ownerID: isAdmin ? nil : userID, in: store.database)) != nil
        }
        try host.eventSocketCommand("set_typing") { connection, userID, json in
            setTyping(connection, userID, json)
        }
    }

    private func setTyping(_ connection: PluginHost.WebSocketConnection, _ userID: String, _ json: [UInt8]) {
        guard let message = JSONValue(parsing: String(decoding: json, as: UTF8.self)),
              let agentID = message["agent_id"]?.stringValue, case .bool(let typing)? = message["is_typing"]
        else {
            return refuse(connection, "validation_error", "set_typing needs agent_id (a string) and is_typing (a boolean)")
        }
        let owns = ResourceID.isValid(agentID, prefix: "agent")
            && ((try? store.exists(id: agentID, ownerID: userID, in: store.database)) ?? false)
        guard owns else { return refuse(connection, "not_found", "No agent with this id.") }
        let event: JSONValue = ["type": "agent_typing", "agent_id": .string(agentID), "is_typing": .bool(typing)]
        host.publishToSubscribers(topic: "agent:\(agentID)", json: Array(event.jsonText.utf8), except: connection)
    }

    private func refuse(_ connection: PluginHost.WebSocketConnection, _ type: String, _ message: String) {
        let event: JSONValue = ["type": "error", "error_type": .string(type), "message": .string(message),
                                "timestamp": .string(Timestamp.rfc3339(Date()))]
        host.send(connection, text: Array(event.jsonText.utf8))
    }
}
