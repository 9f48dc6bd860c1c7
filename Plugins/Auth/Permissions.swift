/// The permissions of API.md. A full user login holds all of them (admin-only operations are
/// guarded by `is_admin`, not by a permission); an API key holds only those it was given.
enum Permissions {
    static let all = [
        "read_agents", "write_agents", "read_groups", "write_groups", "read_messages", "send_messages",
        "read_memory", "update_memory", "manage_users", "manage_mcp_servers", "manage_model_providers",
        "manage_api_keys",
    ]
    static let known = Set(all)
    /// Administering users; an API key also needs it to change its own user's profile.
    static let manageUsers = "manage_users"

    /// A principal authenticated by an API key (or a token minted from one) is an administrator
    /// only when its user is one and the key carries `manage_users`, so admin-only routes need
    /// both; every other check still holds such a key to its own permissions (the host lets only
    /// an administrator's key-less logins pass every permission check).
    static func keyActsAsAdmin(userIsAdmin: Bool, keyPermissions: [String]) -> Bool {
        userIsAdmin && keyPermissions.contains(manageUsers)
    }

    /// `permissions` in the order of `all`, without duplicates or unknown names.
    static func normalized(_ permissions: [String]) -> [String] {
        let wanted = Set(permissions)
        return all.filter { wanted.contains($0) }
    }
}
