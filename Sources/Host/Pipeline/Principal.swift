import PluginABI

/// Who is making a request, as set by the authenticating plugin.
struct Principal: Sendable {
    var userID: String
    var isAdmin: Bool
    var permissions: [String]
    var apiKeyID: String?
    /// Requests per minute for this credential; 0 means the default policy.
    var rateLimit: Int64

    func holds(_ permission: String) -> Bool { isAdmin || permissions.contains(permission) }
}
