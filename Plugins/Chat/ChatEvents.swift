import Foundation
import PluginKit

/// API.md's WebSocket events of a turn, published on the agent's topic `agent:<id>` (and,
/// for a message of a group, on `group:<id>` too): `message_received` for every stored
/// message, `message_delta` while a reply streams, `tool_execution_started` /
/// `tool_execution_completed`, and `agent_typing`. (`agent_state_changed` comes from the
/// agents plugin when the chat sets the state through agents.v1.)
struct ChatEvents: Sendable {
    let host: PluginHost

    private var now: JSONValue { .string(Timestamp.rfc3339(Date())) }

    private func publish(agentID: String, groupID: String? = nil, _ event: JSONValue) {
        let bytes = event.jsonBytes
        host.publish(topic: "agent:\(agentID)", json: bytes)
        if let groupID { host.publish(topic: "group:\(groupID)", json: bytes) }
    }

    func messageReceived(_ message: ChatMessage) {
        let event: JSONValue = [
            "type": "message_received", "message_id": .string(message.id), "agent_id": .text(message.agentID),
            "role": .string(message.role.rawValue), "content": message.content.tagged, "timestamp": now,
        ]
        if let agentID = message.agentID {
            publish(agentID: agentID, groupID: message.groupID, event)
        } else if let groupID = message.groupID {
            host.publish(topic: "group:\(groupID)", json: event.jsonBytes)
        }
    }

    func messageDelta(agentID: String, text: String) {
        publish(agentID: agentID, ["type": "message_delta", "agent_id": .string(agentID), "text": .string(text),
                                   "timestamp": now])
    }

    func toolStarted(agentID: String, _ call: ToolCall) {
        publish(agentID: agentID, ["type": "tool_execution_started", "agent_id": .string(agentID),
                                   "tool_name": .string(call.name), "tool_call_id": .string(call.id), "timestamp": now])
    }

    func toolCompleted(agentID: String, _ result: ToolResult) {
        publish(agentID: agentID, ["type": "tool_execution_completed", "agent_id": .string(agentID),
                                   "tool_name": .string(result.name), "tool_call_id": .string(result.callID),
                                   "success": .bool(!result.isError), "timestamp": now])
    }

    func typing(agentID: String, _ isTyping: Bool) {
        publish(agentID: agentID, ["type": "agent_typing", "agent_id": .string(agentID), "is_typing": .bool(isTyping)])
    }
}

extension JSONValue {
    /// A string, or `null` for nil.
    static func text(_ value: String?) -> JSONValue { value.map { .string($0) } ?? .null }
}
