import AuthCaches
import AuthTokens
import PluginKit

/// Mints the plugin's JWTs and reads them back. Access tokens carry `sid` (the login they
/// belong to) so that logout, password changes and deactivation can end them before `exp`.
struct TokenIssuer: Sendable {
    let keys: SigningKeys
    let issuer: String
    let audience: String
    let accessTTL: Int64

    func accessToken(userID: String, session: String, permissions: [String], now: Int64) -> String {
        JWT.sign(JWT.Claims(subject: userID, issuedAt: now, expiresAt: now + accessTTL, id: ResourceID.make("at"),
                            issuer: issuer, audience: [audience], kind: .access, permissions: permissions,
                            session: session), key: keys.current)
    }

    /// A refresh token whose `jti` is already recorded in `auth_refresh_tokens`.
    func refreshToken(userID: String, family: String, jti: String, now: Int64, expiresAt: Int64) -> String {
        JWT.sign(JWT.Claims(subject: userID, issuedAt: now, expiresAt: expiresAt, id: jti, issuer: issuer,
                            audience: [audience], kind: .refresh, family: family), key: keys.current)
    }

    let verifiedAccessTokens = VerifiedTokenCache()

    func verify(_ token: String, kind: JWT.Kind, now: Int64) throws(JWT.Failure) -> JWT.Claims {
        if kind == .access, let cached = verifiedAccessTokens.claims(token) {
            try JWT.checkTimes(cached, now: now)
            return cached
        }
        let claims = try JWT.verify(token, kind: kind, keys: keys.verification, issuer: issuer, audience: audience, now: now)
        if kind == .access { verifiedAccessTokens.insert(token, claims) }
        return claims
    }
}

/// The answer to a login or refresh.
struct TokenPairResponse: JSONObject {
    var accessToken = ""
    var refreshToken = ""
    var tokenType = "Bearer"
    var expiresIn: Int64 = 0
    var user = UserResponse()

    static let schemaName: String? = "TokenPair"
    static let fields: [JSONField<Self>] = [
        JSONField("access_token", \.accessToken, required: true),
        JSONField("refresh_token", \.refreshToken, required: true),
        JSONField("token_type", \.tokenType, required: true) { $0.oneOf(["Bearer"]) },
        JSONField("expires_in", \.expiresIn, required: true) { $0.minimum(0).describe("Seconds the access token lives") },
        JSONField("user", \.user, required: true),
    ]
}
