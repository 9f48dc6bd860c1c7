import Foundation
import PluginKit

/// An agent as the chat plugin needs it for a turn: agents.v1's agent record.
struct AgentRecord: Sendable {
    struct MemoryBlock: Sendable, Equatable {
        var label: String
        var content: String
    }

    var id: String
    var ownerID: String
    var name: String
    var systemPrompt: String?
    var modelProvider: String?
    var modelID: String?
    var tools: [String]
    var state: JSONValue
    var memory: [MemoryBlock]

    init?(_ json: JSONValue) {
        guard let id = json["id"]?.stringValue, let owner = json["owner_id"]?.stringValue else { return nil }
        self.id = id
        ownerID = owner
        name = json["name"]?.stringValue ?? ""
        systemPrompt = json["system_prompt"]?.stringValue
        modelProvider = json["model_provider"]?.stringValue
        modelID = json["model_id"]?.stringValue
        tools = json["tools"]?.arrayValue?.compactMap(\.stringValue) ?? []
        state = json["state"] ?? "ready"
        memory = (json["memory"]?.arrayValue ?? []).compactMap { block in
            guard let label = block["label"]?.stringValue else { return nil }
            return MemoryBlock(label: label, content: block["content"]?.stringValue ?? "")
        }
    }

    var isSuspended: Bool { state == "suspended" }

    /// Whole seconds left of a `{"cooldown": {"until"}}` state, nil when there is none left.
    func cooldownSeconds(now: Date = Date()) -> Int? {
        guard let until = state["cooldown"]?["until"]?.stringValue, let end = Timestamp.parse(until) else { return nil }
        let left = end - Int64(now.timeIntervalSince1970 * 1000)
        return left > 0 ? Int((left + 999) / 1000) : nil
    }
}
