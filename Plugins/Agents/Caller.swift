import PluginKit

extension Request {
    /// The `{id}` of an agent route.
    func agentID() throws(HTTPError) -> String {
        try resourceID(prefix: "agent", missing: "No agent with this id.")
    }
}
