import PluginKit

/// Ends the WebSocket connections opened with logins that stopped being valid: the host closes
/// them with 4401 "session_revoked". A connection's session is the refresh family of the token
/// that opened it, or the id of the API key that did. Called once the change is committed, so a
/// client that reconnects at once already finds the login gone.
struct LoginSockets: Sendable {
    let host: PluginHost
    static let reason = "session_revoked"

    /// The connections of these logins (families, key ids) of the user.
    func close(_ sessions: [String], of userID: String) {
        for session in sessions { host.closeWebSocketSessions(userID: userID, session: session, reason: Self.reason) }
    }

    /// Every connection of the user (deactivated, deleted, or no longer an administrator).
    func closeAll(of userID: String) {
        host.closeWebSocketSessions(userID: userID, reason: Self.reason)
    }
}
