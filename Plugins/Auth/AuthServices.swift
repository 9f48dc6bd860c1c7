import AuthCaches
import Foundation
import PluginKit
import Synchronization

/// The plugin's parts, wired once in `setUp` and shared by every route and the middleware.
/// Immutable after start; the caches inside are synchronised.
final class AuthServices: Sendable {
    let host: PluginHost
    let settings: AuthSettings
    let tokens: TokenIssuer
    let hasher: PasswordHasher
    let users: UserStore
    let apiKeys: APIKeyStore
    let sessions: SessionStore
    let sessionCache = CredentialCache<Session>()
    let keyCache = CredentialCache<APIKeyStore.Found>()
    let events: AuthEvents
    let throttle: LoginThrottle
    let sockets: LoginSockets
    let keyUsage = APIKeyUsage()

    init(host: PluginHost, settings: AuthSettings, keys: SigningKeys, hasher: PasswordHasher) {
        self.host = host
        self.settings = settings
        self.hasher = hasher
        tokens = TokenIssuer(keys: keys, issuer: settings.issuer, audience: settings.audience,
                             accessTTL: settings.accessTokenTTL)
        users = UserStore(database: host.database)
        apiKeys = APIKeyStore(database: host.database)
        sessions = SessionStore(database: host.database)
        events = AuthEvents(host: host)
        throttle = LoginThrottle(host: host)
        sockets = LoginSockets(host: host)
    }

    // MARK: Users

    enum CreateUserFailure: Error {
        case invalid(HTTPError)
        case usernameTaken
        case storage
    }

    /// Validates, hashes and stores a new user.
    func createUser(username: String, password: String, email: String?, displayName: String?, isAdmin: Bool)
        throws(CreateUserFailure) -> User
    {
        do {
            try AuthFields.check(username, AuthFields.username, "username")
            try AuthFields.check(password, AuthFields.password, "password")
            try AuthFields.check(email, AuthFields.email, "email")
            try AuthFields.check(displayName, AuthFields.displayName, "display_name")
        } catch {
            throw .invalid(error)
        }
        guard let hash = hasher.hash(password) else { throw .storage }
        let now = Clock.milliseconds()
        let user = User(id: ResourceID.make("user"), username: username, passwordHash: hash, email: email,
                        displayName: displayName, isAdmin: isAdmin, isActive: true, createdAt: now, updatedAt: now)
        do {
            try users.insert(user)
        } catch .usernameTaken {
            throw .usernameTaken
        } catch {
            throw .storage
        }
        return user
    }

    // MARK: Logins

    /// Starts a login (a refresh family) and mints its first token pair.
    func startSession(user: User, apiKey: APIKey?) throws -> TokenPairResponse {
        let now = Clock.milliseconds()
        let familyID = ResourceID.make("fam")
        let jti = ResourceID.make("rt")
        let familyExpires = now + settings.sessionMaxLifetime * 1000
        let tokenExpires = min(now + settings.refreshTokenTTL * 1000, familyExpires)
        let permissions = apiKey?.permissions ?? Permissions.all
        try sessions.start(familyID: familyID, user: user, apiKey: apiKey, permissions: permissions, firstJTI: jti,
                           now: now, tokenExpiresAt: tokenExpires, familyExpiresAt: familyExpires)
        return pair(user: user, familyID: familyID, permissions: permissions, refreshJTI: jti, now: now,
                    refreshExpiresAt: tokenExpires)
    }

    func pair(user: User, familyID: String, permissions: [String], refreshJTI: String, now: Int64,
              refreshExpiresAt: Int64) -> TokenPairResponse {
        let seconds = now / 1000
        return TokenPairResponse(
            accessToken: tokens.accessToken(userID: user.id, session: familyID, permissions: permissions, now: seconds),
            refreshToken: tokens.refreshToken(userID: user.id, family: familyID, jti: refreshJTI, now: seconds,
                                               expiresAt: refreshExpiresAt / 1000),
            expiresIn: settings.accessTokenTTL, user: user.response)
    }

    /// The login behind an access token's `sid`, through the cache.
    func session(_ familyID: String) throws -> Session? {
        try sessionCache.value(familyID) { try sessions.session(familyID: familyID) }
    }

    /// The API key whose secret hashes to `hash` (`APIKeySecret.hash`) and its user, through the cache.
    func apiKey(hash: String) throws -> APIKeyStore.Found? {
        try keyCache.value(hash) { try apiKeys.find(hash: hash) }
    }

    /// Runs `body` in a write transaction, then forgets cached logins and keys (they may have
    /// changed).
    func changingSessions<T>(_ body: (DatabaseClient.Transaction) throws -> T) throws -> T {
        defer {
            sessionCache.invalidate()
            keyCache.invalidate()
        }
        return try host.database.transaction(body)
    }
}

/// Maps storage failures to API errors that reveal nothing about the database.
extension HTTPError {
    static func storage(_ failure: any Error) -> HTTPError {
        if let failure = failure as? HTTPError { return failure }
        if let failure = failure as? DatabaseFailure, failure.kind == .busy {
            return HTTPError(status: 503, type: "service_unavailable", message: "The database is busy; try again shortly.",
                             headers: [Header("Retry-After", "1")])
        }
        return HTTPError(status: 500, type: "internal_error", message: "The server failed to handle this request.")
    }
}

/// Throttles `last_used_at` writes to one per key per minute: a key used at high rates must
/// not turn every request into a database write.
final class APIKeyUsage: Sendable {
    private let lastWrite = Mutex<[String: Int64]>([:])
    static let intervalMilliseconds: Int64 = 60_000

    /// Whether a use of `keyID` now would be recorded (without claiming it).
    func isDue(_ keyID: String, now: Int64) -> Bool {
        lastWrite.withLock { map in map[keyID].map { now - $0 >= Self.intervalMilliseconds } ?? true }
    }

    /// True when the caller should record a use of `keyID` now.
    func shouldRecord(_ keyID: String, now: Int64) -> Bool {
        lastWrite.withLock { map in
            if let last = map[keyID], now - last < Self.intervalMilliseconds { return false }
            if map.count > 10_000 { map.removeAll(keepingCapacity: true) }
            map[keyID] = now
            return true
        }
    }
}
