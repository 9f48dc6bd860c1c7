import Foundation
import PluginKit

/// A login: the refresh-token family it starts, and what its tokens may do. Full-user logins
/// carry every permission; API-key logins carry the key's (and are tied to the key).
struct Session: Sendable {
    let familyID: String
    let user: User
    let apiKey: APIKey?
    let permissions: [String]
    let expiresAt: Int64
    let revoked: Bool
    /// The user's UserResponse, rendered once per cached login (`GET /auth/me`).
    let userJSON: [UInt8]

    /// True when tokens of this login may be used at `now` (ms): not revoked, the user active,
    /// the key (if any) still existing, enabled and unexpired.
    func isUsable(now: Int64) -> Bool {
        guard !revoked, user.isActive, now < expiresAt else { return false }
        if let apiKey { return apiKey.isUsable(now: now) }
        return true
    }

    /// Who calls with an access token of this login that expires at `tokenExpiresAt` (Unix
    /// seconds): its session is this login, and it lasts until the token, the login or the key
    /// it was made with runs out, whichever is first.
    func principal(tokenExpiresAt: Int64) -> Principal {
        var principal = apiKey?.principal(of: user, permissions: permissions)
            ?? Principal(userID: user.id, isAdmin: user.isAdmin, permissions: permissions)
        principal.sessionID = familyID
        principal.expiresAt = [tokenExpiresAt, expiresAt / 1000, apiKey?.expiresAtSeconds ?? 0]
            .filter { $0 > 0 }.min() ?? 0
        return principal
    }
}

/// SQL for `auth_refresh_families` and `auth_refresh_tokens`: rotation with reuse detection
/// (RFC 9700 §4.14.2). Every refresh token is single-use; presenting a used one revokes its
/// whole family, so both the thief and the victim must log in again.
struct SessionStore: Sendable {
    let database: DatabaseClient

    enum Rotation {
        case rotated(Session, newExpiresAt: Int64)
        /// A used token came back: the family is now revoked.
        case reused(Session)
        /// Unknown token, revoked or expired family, or a login that is no longer usable.
        case refused
    }

    static func encode(_ permissions: [String]) -> String {
        (try? JSONEncoder().encode(permissions)).map { String(decoding: $0, as: UTF8.self) } ?? "[]"
    }

    static func decode(_ text: String?) -> [String] {
        guard let text, let list = try? JSONDecoder().decode([String].self, from: Data(text.utf8)) else { return [] }
        return Permissions.normalized(list)
    }

    /// Starts a family and records its first refresh token.
    func start(familyID: String, user: User, apiKey: APIKey?, permissions: [String], firstJTI: String, now: Int64,
               tokenExpiresAt: Int64, familyExpiresAt: Int64) throws -> Void {
        try database.transaction { transaction in
            _ = try transaction.execute(
                "INSERT INTO auth_refresh_families (id, user_id, api_key_id, permissions, created_at, expires_at) "
                    + "VALUES (?, ?, ?, ?, ?, ?)",
                [.text(familyID), .text(user.id), apiKey.map { .text($0.id) } ?? .null,
                 .text(Self.encode(permissions)), .integer(now), .integer(familyExpiresAt)])
            _ = try transaction.execute(
                "INSERT INTO auth_refresh_tokens (jti, family_id, parent_jti, issued_at, expires_at) VALUES (?, ?, NULL, ?, ?)",
                [.text(firstJTI), .text(familyID), .integer(now), .integer(tokenExpiresAt)])
        }
    }

    private static let sessionQuery = """
        SELECT f.id, f.permissions, f.expires_at, f.revoked_at, f.api_key_id, \(APIKey.columns(prefix: "k.")), \
        \(User.columns.split(separator: ",").map { "u." + $0.trimmingCharacters(in: .whitespaces) }.joined(separator: ", ")) \
        FROM auth_refresh_families f JOIN auth_users u ON u.id = f.user_id \
        LEFT JOIN auth_api_keys k ON k.id = f.api_key_id
        """

    private static func session(from row: [SQLValue]) -> Session {
        let keyColumns = APIKey.columnCount
        let keyRow = Array(row[5..<(5 + keyColumns)])
        let user = User(row: Array(row[(5 + keyColumns)...]))
        let wantsKey = row[4] != .null
        // A family whose key was deleted keeps api_key_id but finds no key: never usable.
        let key = wantsKey && keyRow[0] != .null ? APIKey(row: keyRow) : nil
        return Session(familyID: row[0].string ?? "", user: user, apiKey: key, permissions: decode(row[1].string),
                       expiresAt: row[2].integer ?? 0, revoked: row[3] != .null || (wantsKey && key == nil),
                       userJSON: user.response.json.jsonBytes)
    }

    /// The login behind `familyID`, or nil when there is none.
    func session(familyID: String) throws(DatabaseFailure) -> Session? {
        try database.execute(Self.sessionQuery + " WHERE f.id = ?", [.text(familyID)]).rows.first.map(Self.session(from:))
    }

    /// Marks refresh token `jti` of `familyID` used and records its successor, in one transaction.
    func rotate(jti: String, familyID: String, userID: String, newJTI: String, now: Int64, refreshTTL: Int64) throws -> Rotation {
        try database.transaction { transaction -> Rotation in
            let rows = try transaction.execute(Self.sessionQuery + " WHERE f.id = ?", [.text(familyID)])
            guard let row = rows.rows.first else { return .refused }
            let session = Self.session(from: row)
            guard session.user.id == userID else { return .refused }
            let token = try transaction.execute(
                "SELECT used_at FROM auth_refresh_tokens WHERE jti = ? AND family_id = ?", [.text(jti), .text(familyID)])
            guard let used = token.rows.first?.first else { return .refused }
            if session.revoked { return .refused }
            if used != .null {
                _ = try Self.revoke(familyWhere: "id = ?", [.text(familyID)], reason: "refresh_token_reuse", now: now,
                                   transaction)
                return .reused(session)
            }
            guard session.isUsable(now: now) else { return .refused }
            let marked = try transaction.execute(
                "UPDATE auth_refresh_tokens SET used_at = ? WHERE jti = ? AND used_at IS NULL", [.integer(now), .text(jti)])
            guard marked.changes == 1 else { return .refused }
            let expiresAt = min(now + refreshTTL * 1000, session.expiresAt)
            _ = try transaction.execute(
                "INSERT INTO auth_refresh_tokens (jti, family_id, parent_jti, issued_at, expires_at) VALUES (?, ?, ?, ?, ?)",
                [.text(newJTI), .text(familyID), .text(jti), .integer(now), .integer(expiresAt)])
            return .rotated(session, newExpiresAt: expiresAt)
        }
    }

    func revoke(familyID: String, reason: String, now: Int64) throws {
        try database.transaction {
            _ = try Self.revoke(familyWhere: "id = ?", [.text(familyID)], reason: reason, now: now, $0)
        }
    }

    /// Revokes the user's logins; returns the ids of those that were still live (their sockets end).
    func revokeAll(userID: String, reason: String, in transaction: DatabaseClient.Transaction, now: Int64) throws
        -> [String]
    {
        try Self.revoke(familyWhere: "user_id = ?", [.text(userID)], reason: reason, now: now, transaction)
    }

    /// Revokes the logins made with a key; returns the ids of those that were still live.
    func revokeAll(apiKeyID: String, reason: String, in transaction: DatabaseClient.Transaction, now: Int64) throws
        -> [String]
    {
        try Self.revoke(familyWhere: "api_key_id = ?", [.text(apiKeyID)], reason: reason, now: now, transaction)
    }

    /// The logins made with a key that are still live, left as they are.
    func live(apiKeyID: String, in transaction: DatabaseClient.Transaction, now: Int64) throws -> [String] {
        try Self.live(familyWhere: "api_key_id = ?", [.text(apiKeyID)], now: now, transaction)
    }

    private static func live(familyWhere condition: String, _ parameters: [SQLValue], now: Int64,
                             _ transaction: DatabaseClient.Transaction) throws -> [String] {
        try transaction.execute(
            "SELECT id FROM auth_refresh_families WHERE revoked_at IS NULL AND expires_at > ? AND " + condition,
            [.integer(now)] + parameters
        ).rows.compactMap { $0.first?.string }
    }

    private static func revoke(familyWhere condition: String, _ parameters: [SQLValue], reason: String, now: Int64,
                               _ transaction: DatabaseClient.Transaction) throws -> [String] {
        let live = try live(familyWhere: condition, parameters, now: now, transaction)
        _ = try transaction.execute(
            "UPDATE auth_refresh_families SET revoked_at = ?, revoke_reason = ? WHERE revoked_at IS NULL AND " + condition,
            [.integer(now), .text(reason)] + parameters)
        return live
    }

    /// Drops families that can no longer be used by anyone (expired for a day, or revoked and
    /// past their lifetime), with their tokens.
    func prune(now: Int64) throws {
        let cutoff = now - 86_400_000
        try database.transaction { transaction in
            _ = try transaction.execute(
                "DELETE FROM auth_refresh_tokens WHERE family_id IN (SELECT id FROM auth_refresh_families WHERE expires_at < ?)",
                [.integer(cutoff)])
            _ = try transaction.execute("DELETE FROM auth_refresh_families WHERE expires_at < ?", [.integer(cutoff)])
        }
    }
}
