import PluginKit

extension Request {
    /// The `{id}` of a group route.
    func groupID() throws(HTTPError) -> String {
        try resourceID(prefix: "group", missing: "No group with this id.")
    }
}
