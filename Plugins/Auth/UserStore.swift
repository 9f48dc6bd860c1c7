import PluginKit

/// SQL for `auth_users`.
struct UserStore: Sendable {
    let database: DatabaseClient

    enum CreateFailure: Error { case usernameTaken, storage(DatabaseFailure) }

    func find(id: String) throws(DatabaseFailure) -> User? {
        let rows = try database.execute("SELECT \(User.columns) FROM auth_users WHERE id = ?", [.text(id)])
        return rows.rows.first.map(User.init(row:))
    }

    func find(username: String) throws(DatabaseFailure) -> User? {
        let rows = try database.execute("SELECT \(User.columns) FROM auth_users WHERE username_key = ?",
                                        [.text(AuthFields.usernameKey(username))])
        return rows.rows.first.map(User.init(row:))
    }

    func count() throws(DatabaseFailure) -> Int {
        Int(try database.execute("SELECT COUNT(*) FROM auth_users").rows.first?.first?.integer ?? 0)
    }

    func insert(_ user: User) throws(CreateFailure) {
        do {
            _ = try database.execute(
                "INSERT INTO auth_users (id, username, username_key, password_hash, email, display_name, is_admin, "
                    + "is_active, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [.text(user.id), .text(user.username), .text(AuthFields.usernameKey(user.username)),
                 .text(user.passwordHash), user.email.map(SQLValue.text) ?? .null,
                 user.displayName.map(SQLValue.text) ?? .null, .integer(user.isAdmin ? 1 : 0),
                 .integer(user.isActive ? 1 : 0), .integer(user.createdAt), .integer(user.updatedAt)])
        } catch {
            throw error.kind == .conflict ? .usernameTaken : .storage(error)
        }
    }

    /// Writes every mutable column of `user`.
    func update(_ user: User, in transaction: DatabaseClient.Transaction) throws(DatabaseFailure) {
        _ = try transaction.execute(
            "UPDATE auth_users SET password_hash = ?, email = ?, display_name = ?, is_admin = ?, is_active = ?, "
                + "updated_at = ? WHERE id = ?",
            [.text(user.passwordHash), user.email.map(SQLValue.text) ?? .null,
             user.displayName.map(SQLValue.text) ?? .null, .integer(user.isAdmin ? 1 : 0),
             .integer(user.isActive ? 1 : 0), .integer(user.updatedAt), .text(user.id)])
    }

    func updatePasswordHash(id: String, hash: String) throws(DatabaseFailure) {
        _ = try database.execute("UPDATE auth_users SET password_hash = ? WHERE id = ?", [.text(hash), .text(id)])
    }

    /// Active administrators other than `id`.
    func otherActiveAdmins(than id: String, in transaction: DatabaseClient.Transaction) throws(DatabaseFailure) -> Int {
        Int(try transaction.execute(
            "SELECT COUNT(*) FROM auth_users WHERE is_admin = 1 AND is_active = 1 AND id <> ?", [.text(id)]
        ).rows.first?.first?.integer ?? 0)
    }

    /// Deletes the user with their keys and refresh tokens; false when there was no such user.
    func delete(id: String, in transaction: DatabaseClient.Transaction) throws(DatabaseFailure) -> Bool {
        _ = try transaction.execute(
            "DELETE FROM auth_refresh_tokens WHERE family_id IN (SELECT id FROM auth_refresh_families WHERE user_id = ?)",
            [.text(id)])
        _ = try transaction.execute("DELETE FROM auth_refresh_families WHERE user_id = ?", [.text(id)])
        _ = try transaction.execute("DELETE FROM auth_api_keys WHERE user_id = ?", [.text(id)])
        return try transaction.execute("DELETE FROM auth_users WHERE id = ?", [.text(id)]).changes == 1
    }

    /// `sort_by` values and the columns they sort by.
    static let sortColumns = ["created_at": "created_at", "updated_at": "updated_at", "username": "username_key",
                              "name": "username_key"]

    func list(_ pagination: PageRequest) throws(DatabaseFailure) -> (users: [User], total: Int) {
        var filter = ""
        var parameters: [SQLValue] = []
        if let active = pagination.isActive {
            filter = " WHERE is_active = ?"
            parameters.append(.integer(active ? 1 : 0))
        }
        let total = Int(try database.execute("SELECT COUNT(*) FROM auth_users" + filter, parameters).rows.first?.first?.integer ?? 0)
        let rows = try database.execute(
            "SELECT \(User.columns) FROM auth_users\(filter) \(pagination.orderClause(Self.sortColumns)) LIMIT ? OFFSET ?",
            parameters + [.integer(Int64(pagination.limit)), .integer(Int64(pagination.offset))])
        return (rows.rows.map(User.init(row:)), total)
    }
}
