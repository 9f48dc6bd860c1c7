import PluginABI

/// Who is making a request, as set by the authenticating plugin.
struct Principal: Sendable {
    var userID: String
    var isAdmin: Bool
    var permissions: [String]
    var apiKeyID: String?
    /// Requests per minute for this credential; 0 means the default policy.
    var rateLimit: Int64
    /// The login the credential belongs to (ABI 1.3); WebSocket connections end with it.
    var sessionID: String? = nil
    /// Unix seconds when the credential expires, 0 = never (ABI 1.3).
    var expiresAt: Int64 = 0
    /// An administrator granted `rateLimit` above the server's policy (ABI 1.3).
    var rateLimitAbovePolicy = false

    /// An API key holds exactly its permissions, whoever owns it; an administrator's other
    /// logins pass every check.
    func holds(_ permission: String) -> Bool { permissions.contains(permission) || (isAdmin && apiKeyID == nil) }
}
