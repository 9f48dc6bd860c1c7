import AuthTokens
import PluginKit

/// The AUTHENTICATE phase: turns `Authorization: Bearer <access JWT | API key>` (or, for the
/// WebSocket endpoint only, `?token=<access JWT>`) into the request's principal.
///
/// - No credential: the request stays anonymous; the host answers 401 on protected routes.
/// - A valid credential: the principal is set (user id, admin flag, permissions, key id, the
///   key's rate limit, the session a WebSocket opened with it ends with, and when it expires),
///   and a token's login id is kept as the request attribute `auth.session`.
/// - An invalid credential: the request goes on anonymous and marked `auth.rejected`, so the
///   rate limiter charges it to the client's address (guessing keys or tokens spends quota);
///   then `refuseRejected`, in AUTHORIZE, answers 401 with `WWW-Authenticate: Bearer
///   error="invalid_token"` on protected routes. On public routes a bad credential is ignored,
///   so a stale token never breaks the login page or the health check.
///
/// Cost: a valid access token costs one HMAC, two small JSON decodes and a cache lookup; an API
/// key a hash and a cache lookup. It runs on the network thread (ABI 1.5, inline unless
/// blocking): only a cache miss (at most every few seconds per login or key), an unknown key,
/// or a key's `last_used_at` falling due moves the request to a worker, which reads or writes
/// the database.
struct AuthenticationMiddleware: Sendable {
    let services: AuthServices

    static let sessionAttribute = "auth.session"
    static let rejectedAttribute = "auth.rejected"
    static let webSocketPath = "/api/v1/ws"
    /// Routes that read a refresh token or credentials themselves.
    static let ownCredentialRoutes: Set<String> = [LoginRoutes.refreshPath, LoginRoutes.loginPath, LoginRoutes.aliasPath]

    static let invalid = HTTPError.unauthorized("The access token or API key is invalid, expired or revoked.",
                                                challenge: #"Bearer error="invalid_token""#)

    enum Outcome {
        case authenticated(Principal, session: String?)
        case rejected
        case failed(any Error)
        /// Only the database can tell, and this thread may not block.
        case wouldBlock
    }

    func run(_ request: Request) -> PluginHost.MiddlewareOutcome {
        let template = request.routeTemplate
        if Self.ownCredentialRoutes.contains(template) { return .next }
        guard let credential = Self.credential(request) else { return .next }
        switch authenticate(credential, now: Clock.milliseconds(), mayBlock: request.mayBlock) {
        case .authenticated(let principal, let session):
            request.setPrincipal(principal)
            if let session { request.setAttribute(Self.sessionAttribute, session) }
            return .next
        case .rejected:
            request.setAttribute(Self.rejectedAttribute, "1")
            return .next
        case .failed(let error):
            if template.isEmpty || request.routeOptions.contains(.public) { return .next }
            return .reject(.storage(error))
        case .wouldBlock:
            return .wouldBlock
        }
    }

    /// AUTHORIZE: the 401 for a credential AUTHENTICATE rejected, once RATE_LIMIT has counted it.
    func refuseRejected(_ request: Request) -> PluginHost.MiddlewareOutcome {
        guard request.attribute(Self.rejectedAttribute) != nil, !request.routeOptions.contains(.public) else {
            return .next
        }
        return .reject(Self.invalid)
    }

    /// The bearer credential: the `Authorization` header, or `?token=` on the WebSocket path
    /// (one that is not text counts as none).
    /// An `Authorization` header with another scheme counts as an invalid (empty) credential.
    /// (Byte-wise: it runs for every authenticated request.)
    static func credential(_ request: Request) -> String? {
        if let header = request.header("authorization") {
            let value = header.utf8.drop(while: isBlank)
            let scheme = "bearer ".utf8
            guard value.count > scheme.count, value.prefix(scheme.count).elementsEqual(scheme, by: { $0 | 0x20 == $1 }) else {
                return ""
            }
            return String(Substring(value.dropFirst(scheme.count).drop(while: isBlank)))
        }
        if request.path == webSocketPath, let token = try? request.query("token") { return token }
        return nil
    }

    func authenticate(_ credential: String, now: Int64, mayBlock: Bool = true) -> Outcome {
        if credential.isEmpty { return .rejected }
        if APIKeySecret.looksLikeKey(credential) { return authenticateKey(credential, now: now, mayBlock: mayBlock) }
        let claims: JWT.Claims
        do {
            claims = try services.tokens.verify(credential, kind: .access, now: now / 1000)
        } catch {
            return .rejected
        }
        guard let familyID = claims.session else { return .rejected }
        do {
            // One lookup: the cache alone on the loop (a miss must go to a worker), else through it.
            let found = mayBlock ? try services.session(familyID) : services.sessionCache.cached(familyID)
            if !mayBlock && found == nil { return .wouldBlock }
            guard let session = found, session.user.id == claims.subject,
                  session.isUsable(now: now)
            else { return .rejected }
            var principal = session.principal(tokenExpiresAt: claims.expiresAt)
            // The token's own permissions, never more than its login's.
            if claims.permissions != session.permissions {
                let allowed = Set(session.permissions)
                principal.permissions = Permissions.normalized(claims.permissions ?? []).filter { allowed.contains($0) }
            }
            return .authenticated(principal, session: familyID)
        } catch {
            return .failed(error)
        }
    }

    private func authenticateKey(_ secret: String, now: Int64, mayBlock: Bool) -> Outcome {
        guard secret.utf8.count <= 256 else { return .rejected }
        // One hash and one lookup: the cache alone on the loop (a miss, or a use to record, must
        // go to a worker), else through it.
        let hash = APIKeySecret.hash(secret)
        do {
            let cached = mayBlock ? nil : services.keyCache.cached(hash)
            if !mayBlock && (cached.map { services.keyUsage.isDue($0.key.id, now: now) } ?? true) { return .wouldBlock }
            guard let found = try cached ?? services.apiKey(hash: hash), found.key.isUsable(now: now), found.user.isActive
            else { return .rejected }
            let (key, user) = (found.key, found.user)
            if services.keyUsage.shouldRecord(key.id, now: now) { try? services.apiKeys.touch(id: key.id, at: now) }
            return .authenticated(key.principal(of: user, permissions: key.permissions), session: nil)
        } catch {
            return .failed(error)
        }
    }
}

private func isBlank(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 }
