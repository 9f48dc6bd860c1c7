import PluginKit

/// A row of `auth_users`.
struct User: Sendable, Equatable {
    var id: String
    var username: String
    var passwordHash: String
    var email: String?
    var displayName: String?
    var isAdmin: Bool
    var isActive: Bool
    var createdAt: Int64
    var updatedAt: Int64

    static let columns = "id, username, password_hash, email, display_name, is_admin, is_active, created_at, updated_at"

    init(id: String, username: String, passwordHash: String, email: String?, displayName: String?, isAdmin: Bool,
         isActive: Bool, createdAt: Int64, updatedAt: Int64) {
        self.id = id
        self.username = username
        self.passwordHash = passwordHash
        self.email = email
        self.displayName = displayName
        self.isAdmin = isAdmin
        self.isActive = isActive
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// From a row selected with `columns`.
    init(row: [SQLValue]) {
        id = row[0].string ?? ""
        username = row[1].string ?? ""
        passwordHash = row[2].string ?? ""
        email = row[3].string
        displayName = row[4].string
        isAdmin = row[5].integer == 1
        isActive = row[6].integer == 1
        createdAt = row[7].integer ?? 0
        updatedAt = row[8].integer ?? 0
    }

    var response: UserResponse { UserResponse(self) }
}

/// API.md's UserResponse: `{id, username, display_name, email, created_at, updated_at,
/// is_active, is_admin}`; absent values are `null`, never omitted.
struct UserResponse: Encodable {
    let user: User

    init(_ user: User) { self.user = user }

    enum Keys: String, CodingKey { case id, username, display_name, email, created_at, updated_at, is_active, is_admin }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(user.id, forKey: .id)
        try c.encode(user.username, forKey: .username)
        try c.encode(user.displayName, forKey: .display_name)
        try c.encode(user.email, forKey: .email)
        try c.encode(Timestamp.rfc3339(milliseconds: user.createdAt), forKey: .created_at)
        try c.encode(Timestamp.rfc3339(milliseconds: user.updatedAt), forKey: .updated_at)
        try c.encode(user.isActive, forKey: .is_active)
        try c.encode(user.isAdmin, forKey: .is_admin)
    }
}
