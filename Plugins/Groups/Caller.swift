import PluginKit

extension Request {
    /// The calling user's id (the host has already answered 401 without a principal).
    func callerID() throws(HTTPError) -> String {
        guard let principal, !principal.userID.isEmpty else {
            throw HTTPError(status: 401, type: "unauthorized", message: "Authentication is required.")
        }
        return principal.userID
    }

    /// The `{id}` path parameter when it can be a group id at all; otherwise 404.
    func groupID() throws(HTTPError) -> String {
        guard let id = pathParameter("id"), ResourceID.isValid(id, prefix: "group") else {
            throw HTTPError.notFound("No group with this id.")
        }
        return id
    }
}
