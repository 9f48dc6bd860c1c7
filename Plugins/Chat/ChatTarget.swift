import PluginKit

/// What `target` names in `POST /chat/messages` and `GET /messages`: one of the caller's
/// agents (by id or by name), or a group id.
enum ChatTarget: Sendable {
    case agent(AgentRecord)
    case group(String)

    static let maxNameCharacters = 128

    static let schema = JSONSchema.string.length(1...maxNameCharacters)
        .describe("An agent id, a group id or the name of one of your agents")

    /// Resolves `text` for `ownerID` (field `field` in errors). Another user's agent is a 404,
    /// exactly like a missing one.
    static func resolve(_ text: String, ownerID: String, agents: AgentDirectory, field: String = "target")
        throws(HTTPError) -> ChatTarget
    {
        guard !text.isEmpty, text.count <= maxNameCharacters else {
            throw .validation(field, "must be an agent id, a group id or the name of one of your agents")
        }
        if text.hasPrefix("group_") {
            guard ResourceID.isValid(text, prefix: "group") else { throw .notFound("No group with this id.") }
            return .group(text)
        }
        if ResourceID.isValid(text, prefix: "agent"), let agent = try agents.agent(id: text, ownerID: ownerID) {
            return .agent(agent)
        }
        guard let agent = try agents.agent(named: text, ownerID: ownerID) else {
            throw .notFound("No agent with this id or name.")
        }
        return .agent(agent)
    }
}
