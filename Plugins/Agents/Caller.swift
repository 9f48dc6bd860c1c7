import PluginKit

extension Request {
    /// The calling user's id. Routes are registered without PUBLIC, so the host has already
    /// answered 401 when there is no principal; this is the belt to that brace.
    func callerID() throws(HTTPError) -> String {
        guard let principal, !principal.userID.isEmpty else {
            throw HTTPError(status: 401, type: "unauthorized", message: "Authentication is required.")
        }
        return principal.userID
    }

    /// The `{id}` path parameter when it can be an agent id at all; otherwise 404 (an id that
    /// cannot exist is just as absent as one that does not).
    func agentID() throws(HTTPError) -> String {
        guard let id = pathParameter("id"), ResourceID.isValid(id, prefix: "agent") else {
            throw HTTPError.notFound("No agent with this id.")
        }
        return id
    }
}
