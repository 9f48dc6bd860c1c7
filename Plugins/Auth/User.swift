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
struct UserResponse: JSONObject {
    var id = ""
    var username = ""
    var displayName: String?
    var email: String?
    var createdAt = ""
    var updatedAt = ""
    var isActive = true
    var isAdmin = false

    init() {}

    init(_ user: User) {
        id = user.id
        username = user.username
        displayName = user.displayName
        email = user.email
        createdAt = Timestamp.rfc3339(milliseconds: user.createdAt)
        updatedAt = Timestamp.rfc3339(milliseconds: user.updatedAt)
        isActive = user.isActive
        isAdmin = user.isAdmin
    }

    static let schemaName: String? = "User"
    static let fields: [JSONField<Self>] = [
        JSONField("id", \.id, required: true) { $0.describe("user_…") },
        JSONField("username", \.username, required: true),
        JSONField("display_name", \.displayName, required: true) { $0.orNull() },
        JSONField("email", \.email, required: true) { $0.orNull() },
        JSONField("created_at", \.createdAt, required: true) { _ in .timestamp },
        JSONField("updated_at", \.updatedAt, required: true) { _ in .timestamp },
        JSONField("is_active", \.isActive, required: true),
        JSONField("is_admin", \.isAdmin, required: true),
    ]
}
