import PluginKit

/// The AUTHENTICATE phase: turns `Authorization: Bearer <access JWT | API key>` (or, for the
/// WebSocket endpoint only, `?token=<access JWT>`) into the request's principal.
///
/// - No credential: the request stays anonymous; the host answers 401 on protected routes.
/// - A valid credential: the principal is set (user id, admin flag, permissions, key id, the
///   key's rate limit), and the login's id is kept as the request attribute `auth.session`.
/// - An invalid credential on a protected route: 401 with `WWW-Authenticate: Bearer
///   error="invalid_token"`. On public or unmatched routes a bad credential is ignored, so a
///   stale token never breaks the login page or the health check.
///
/// Cost: a valid access token costs one HMAC, two small JSON decodes and a cache lookup; only a
/// cache miss (at most every few seconds per login) reads the database. API keys read it always.
struct AuthenticationMiddleware: Sendable {
    let services: AuthServices

    static let sessionAttribute = "auth.session"
    static let webSocketPath = "/api/v1/ws"
    /// Routes that read a refresh token or credentials themselves.
    static let ownCredentialRoutes: Set<String> = [LoginRoutes.refreshPath, LoginRoutes.loginPath, LoginRoutes.aliasPath]

    static let invalid = HTTPError.unauthorized("The access token or API key is invalid, expired or revoked.",
                                                challenge: #"Bearer error="invalid_token""#)

    enum Outcome {
        case authenticated(Principal, session: String?)
        case rejected
        case failed(any Error)
    }

    func run(_ request: Request) -> PluginHost.MiddlewareOutcome {
        let template = request.routeTemplate
        if Self.ownCredentialRoutes.contains(template) { return .next }
        guard let credential = Self.credential(request) else { return .next }
        switch authenticate(credential, now: Clock.milliseconds()) {
        case .authenticated(let principal, let session):
            request.setPrincipal(principal)
            if let session { request.setAttribute(Self.sessionAttribute, session) }
            return .next
        case .rejected:
            if template.isEmpty || request.routeOptions.contains(.public) { return .next }
            return .reject(Self.invalid)
        case .failed(let error):
            if template.isEmpty || request.routeOptions.contains(.public) { return .next }
            return .reject(.storage(error))
        }
    }

    /// The bearer credential: the `Authorization` header, or `?token=` on the WebSocket path
    /// (one that is not text counts as none).
    /// An `Authorization` header with another scheme counts as an invalid (empty) credential.
    static func credential(_ request: Request) -> String? {
        if let header = request.header("authorization") {
            let trimmed = header.trimmingPrefixWhitespace()
            guard trimmed.count > 7, trimmed.prefix(7).lowercased() == "bearer " else { return "" }
            return String(trimmed.dropFirst(7)).trimmingPrefixWhitespace()
        }
        if request.path == webSocketPath, let token = try? request.query("token") { return token }
        return nil
    }

    func authenticate(_ credential: String, now: Int64) -> Outcome {
        if credential.isEmpty { return .rejected }
        if APIKeySecret.looksLikeKey(credential) { return authenticateKey(credential, now: now) }
        let claims: JWT.Claims
        do {
            claims = try services.tokens.verify(credential, kind: .access, now: now / 1000)
        } catch {
            return .rejected
        }
        guard let familyID = claims.session else { return .rejected }
        do {
            guard let session = try services.session(familyID), session.user.id == claims.subject,
                  session.isUsable(now: now)
            else { return .rejected }
            var principal = session.principal
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

    private func authenticateKey(_ secret: String, now: Int64) -> Outcome {
        guard secret.utf8.count <= 256 else { return .rejected }
        do {
            guard let (key, user) = try services.apiKeys.find(secret: secret), key.isUsable(now: now), user.isActive else {
                return .rejected
            }
            if services.keyUsage.shouldRecord(key.id, now: now) { try? services.apiKeys.touch(id: key.id, at: now) }
            let principal = Principal(
                userID: user.id, isAdmin: Permissions.keyActsAsAdmin(userIsAdmin: user.isAdmin, keyPermissions: key.permissions),
                permissions: key.permissions, apiKeyID: key.id, rateLimit: key.rateLimit ?? 0)
            return .authenticated(principal, session: nil)
        } catch {
            return .failed(error)
        }
    }
}

extension StringProtocol {
    func trimmingPrefixWhitespace() -> String {
        String(drop { $0 == " " || $0 == "\t" })
    }
}
