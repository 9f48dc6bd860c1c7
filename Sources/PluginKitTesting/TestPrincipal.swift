/// Who a test request is from, set by the test host as if an authenticating plugin had set it:
/// `try app.request(.get, "/api/v1/agents", as: .user("alice"))`.
public struct TestPrincipal: Sendable, Hashable {
    public var userID: String
    public var isAdmin: Bool
    public var permissions: [String]
    /// Set when the credential is an API key: an admin's key then holds only `permissions`.
    public var apiKeyID: String?

    public init(userID: String, isAdmin: Bool = false, permissions: [String] = [], apiKeyID: String? = nil) {
        self.userID = userID
        self.isAdmin = isAdmin
        self.permissions = permissions
        self.apiKeyID = apiKeyID
    }

    /// The permissions of API.md: what an ordinary user's password login holds.
    public static let everyPermission = [
        "read_agents", "write_agents", "read_groups", "write_groups", "read_messages", "send_messages",
        "read_memory", "update_memory", "manage_users", "manage_mcp_servers", "manage_model_providers",
        "manage_api_keys",
    ]

    /// An ordinary user signed in with a password: every permission.
    public static func user(_ id: String) -> TestPrincipal { TestPrincipal(userID: id, permissions: everyPermission) }

    /// A user's API key holding only `permissions` (an admin's too).
    public static func apiKey(of id: String, isAdmin: Bool = false, permissions: [String]) -> TestPrincipal {
        TestPrincipal(userID: id, isAdmin: isAdmin, permissions: permissions, apiKeyID: "key_test")
    }

    /// An administrator signed in with a password (holds every permission).
    public static func admin(_ id: String = "admin") -> TestPrincipal { TestPrincipal(userID: id, isAdmin: true) }

    /// The host's rule: the permission is held, or the principal is an admin without an API key.
    func holds(_ permission: String) -> Bool { permissions.contains(permission) || (isAdmin && apiKeyID == nil) }
}
