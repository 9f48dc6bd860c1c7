import Foundation
import PatternCrypto
import PluginKit

/// A row of `auth_api_keys`. The key itself is never stored: only its SHA-256 (hex) and the
/// first characters for recognising it in a list.
struct APIKey: Sendable, Equatable {
    var id: String
    var userID: String
    var name: String
    var keyPrefix: String
    var permissions: [String]
    var rateLimit: Int64?
    /// An administrator set `rateLimit`: it may exceed the server's policy where the operator allows.
    var rateLimitGrantedByAdmin: Bool
    var enabled: Bool
    var createdAt: Int64
    var updatedAt: Int64
    var expiresAt: Int64?
    var lastUsedAt: Int64?

    static let columnNames = ["id", "user_id", "name", "key_prefix", "permissions", "rate_limit", "enabled", "created_at",
                              "updated_at", "expires_at", "last_used_at", "rate_limit_granted_by_admin"]
    static var columnCount: Int { columnNames.count }
    static func columns(prefix: String = "") -> String { columnNames.map { prefix + $0 }.joined(separator: ", ") }

    init(id: String, userID: String, name: String, keyPrefix: String, permissions: [String], rateLimit: Int64?,
         rateLimitGrantedByAdmin: Bool, enabled: Bool, createdAt: Int64, updatedAt: Int64, expiresAt: Int64?,
         lastUsedAt: Int64?) {
        self.id = id
        self.userID = userID
        self.name = name
        self.keyPrefix = keyPrefix
        self.permissions = permissions
        self.rateLimit = rateLimit
        self.rateLimitGrantedByAdmin = rateLimitGrantedByAdmin
        self.enabled = enabled
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.expiresAt = expiresAt
        self.lastUsedAt = lastUsedAt
    }

    init(row: [SQLValue]) {
        id = row[0].string ?? ""
        userID = row[1].string ?? ""
        name = row[2].string ?? ""
        keyPrefix = row[3].string ?? ""
        permissions = SessionStore.decode(row[4].string)
        rateLimit = row[5].integer
        enabled = row[6].integer == 1
        createdAt = row[7].integer ?? 0
        updatedAt = row[8].integer ?? 0
        expiresAt = row[9].integer
        lastUsedAt = row[10].integer
        rateLimitGrantedByAdmin = row[11].integer == 1
    }

    func isUsable(now: Int64) -> Bool { enabled && (expiresAt.map { now < $0 } ?? true) }

    /// Unix seconds when the key stops working, 0 = never.
    var expiresAtSeconds: Int64 { expiresAt.map { $0 / 1000 } ?? 0 }

    /// Who calls with this key (or a token minted from it), owned by `user`: the key's
    /// permissions, admin only with `manage_users`, and a limit above the server's policy only
    /// while an administrator's grant stands (its owner still an administrator). The key is the
    /// session, and its expiry the principal's.
    func principal(of user: User, permissions: [String]) -> Principal {
        Principal(userID: user.id,
                  isAdmin: Permissions.keyActsAsAdmin(userIsAdmin: user.isAdmin, keyPermissions: permissions),
                  permissions: permissions, apiKeyID: id, rateLimit: rateLimit ?? 0, sessionID: id,
                  expiresAt: expiresAtSeconds, rateLimitAbovePolicy: rateLimitGrantedByAdmin && user.isAdmin)
    }
}

/// Making, recognising and hashing key strings: `pk_` + 32 random bytes in base64url.
enum APIKeySecret {
    static let prefix = "pk_"
    /// Characters of the key shown in listings (`pk_` + 8).
    static let shownLength = 11

    static func generate() -> String { prefix + Base64URL.encode(Crypto.randomBytes(32)) }

    static func looksLikeKey(_ token: String) -> Bool { token.hasPrefix(prefix) }

    static func hash(_ key: String) -> String { Crypto.hex(Crypto.sha256(Array(key.utf8))) }

    static func shownPrefix(_ key: String) -> String { String(key.prefix(shownLength)) }
}

/// SQL for `auth_api_keys`.
struct APIKeyStore: Sendable {
    let database: DatabaseClient

    func insert(_ key: APIKey, hash: String) throws(DatabaseFailure) {
        _ = try database.execute(
            "INSERT INTO auth_api_keys (id, user_id, name, key_hash, key_prefix, permissions, rate_limit, enabled, "
                + "created_at, updated_at, expires_at, last_used_at, rate_limit_granted_by_admin) "
                + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?)",
            [.text(key.id), .text(key.userID), .text(key.name), .text(hash), .text(key.keyPrefix),
             .text(SessionStore.encode(key.permissions)), key.rateLimit.map(SQLValue.integer) ?? .null,
             .integer(key.enabled ? 1 : 0), .integer(key.createdAt), .integer(key.updatedAt),
             key.expiresAt.map(SQLValue.integer) ?? .null, .integer(key.rateLimitGrantedByAdmin ? 1 : 0)])
    }

    /// A key found by its secret, with its user.
    struct Found: Sendable {
        let key: APIKey
        let user: User
    }

    private static let findByHash = "SELECT k.key_hash, \(APIKey.columns(prefix: "k.")), "
        + User.columns.split(separator: ",").map { "u." + $0.trimmingCharacters(in: .whitespaces) }.joined(separator: ", ")
        + " FROM auth_api_keys k JOIN auth_users u ON u.id = k.user_id WHERE k.key_hash = ?"

    /// The key whose hash is `hash` (`APIKeySecret.hash`; looked up by the hash's unique index,
    /// then compared in constant time), with its owner.
    func find(hash: String) throws(DatabaseFailure) -> Found? {
        let rows = try database.execute(Self.findByHash, [.text(hash)])
        guard let row = rows.rows.first, let stored = row[0].string,
              Crypto.constantTimeEquals(Array(stored.utf8), Array(hash.utf8))
        else { return nil }
        let keyEnd = 1 + APIKey.columnCount
        return Found(key: APIKey(row: Array(row[1..<keyEnd])), user: User(row: Array(row[keyEnd...])))
    }

    /// The caller's key `id` (another user's key is simply not found).
    func find(id: String, userID: String) throws(DatabaseFailure) -> APIKey? {
        try database.execute("SELECT \(APIKey.columns()) FROM auth_api_keys WHERE id = ? AND user_id = ?",
                             [.text(id), .text(userID)]).rows.first.map(APIKey.init(row:))
    }

    /// `sort_by` values and the columns they sort by.
    static let sortColumns = ["created_at": "created_at", "updated_at": "updated_at", "name": "name",
                              "last_used_at": "last_used_at"]

    func list(userID: String, _ pagination: PageRequest) throws(DatabaseFailure) -> (keys: [APIKey], total: Int) {
        var filter = " WHERE user_id = ?"
        var parameters: [SQLValue] = [.text(userID)]
        if let active = pagination.isActive {
            filter += " AND enabled = ?"
            parameters.append(.integer(active ? 1 : 0))
        }
        let total = Int(try database.execute("SELECT COUNT(*) FROM auth_api_keys" + filter, parameters).rows.first?.first?.integer ?? 0)
        let rows = try database.execute(
            "SELECT \(APIKey.columns()) FROM auth_api_keys\(filter) \(pagination.orderClause(Self.sortColumns)) LIMIT ? OFFSET ?",
            parameters + [.integer(Int64(pagination.limit)), .integer(Int64(pagination.offset))])
        return (rows.rows.map(APIKey.init(row:)), total)
    }

    func update(_ key: APIKey, in transaction: DatabaseClient.Transaction) throws(DatabaseFailure) {
        _ = try transaction.execute(
            "UPDATE auth_api_keys SET name = ?, permissions = ?, rate_limit = ?, rate_limit_granted_by_admin = ?, "
                + "enabled = ?, expires_at = ?, updated_at = ? WHERE id = ? AND user_id = ?",
            [.text(key.name), .text(SessionStore.encode(key.permissions)), key.rateLimit.map(SQLValue.integer) ?? .null,
             .integer(key.rateLimitGrantedByAdmin ? 1 : 0), .integer(key.enabled ? 1 : 0),
             key.expiresAt.map(SQLValue.integer) ?? .null, .integer(key.updatedAt), .text(key.id), .text(key.userID)])
    }

    func delete(id: String, userID: String, in transaction: DatabaseClient.Transaction) throws(DatabaseFailure) -> Bool {
        try transaction.execute("DELETE FROM auth_api_keys WHERE id = ? AND user_id = ?", [.text(id), .text(userID)]).changes == 1
    }

    func touch(id: String, at now: Int64) throws(DatabaseFailure) {
        _ = try database.execute("UPDATE auth_api_keys SET last_used_at = ? WHERE id = ?", [.integer(now), .text(id)])
    }
}

/// API.md's key listing item (no secret).
struct APIKeyResponse: JSONObject {
    var id = ""
    var name = ""
    var keyPrefix = ""
    var permissions: [String] = []
    var createdAt = ""
    var expiresAt: String?
    var lastUsedAt: String?
    var rateLimit: Int64?
    var enabled = true

    init() {}

    init(key: APIKey) {
        id = key.id
        name = key.name
        keyPrefix = key.keyPrefix
        permissions = key.permissions
        createdAt = Timestamp.rfc3339(milliseconds: key.createdAt)
        expiresAt = key.expiresAt.map { Timestamp.rfc3339(milliseconds: $0) }
        lastUsedAt = key.lastUsedAt.map { Timestamp.rfc3339(milliseconds: $0) }
        rateLimit = key.rateLimit
        enabled = key.enabled
    }

    static let schemaName: String? = "APIKey"
    static let fields: [JSONField<Self>] = [
        JSONField("id", \.id, required: true),
        JSONField("name", \.name, required: true),
        JSONField("key_prefix", \.keyPrefix, required: true),
        JSONField("permissions", \.permissions, required: true) { _ in AuthFields.permissions },
        JSONField("created_at", \.createdAt, required: true) { _ in .timestamp },
        JSONField("expires_at", \.expiresAt, required: true) { _ in JSONSchema.timestamp.orNull() },
        JSONField("last_used_at", \.lastUsedAt, required: true) { _ in JSONSchema.timestamp.orNull() },
        JSONField("rate_limit", \.rateLimit, required: true) { $0.orNull() },
        JSONField("enabled", \.enabled, required: true),
    ]
}

/// The answer to creating a key: the only time `key` (the secret) is shown.
struct CreatedAPIKeyResponse: JSONObject {
    var listed = APIKeyResponse()
    var secret = ""

    init() {}

    init(key: APIKey, secret: String) {
        listed = APIKeyResponse(key: key)
        self.secret = secret
    }

    static let schemaName: String? = "CreatedAPIKey"
    static let fields: [JSONField<Self>] = APIKeyResponse.fields.filter { $0.property.key != "last_used_at" }
        .map { $0.lifted(\.listed) } + [JSONField("key", \.secret, required: true) { $0.describe("The key, shown only here") }]
}
