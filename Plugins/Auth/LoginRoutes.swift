import PluginKit

/// `POST /auth/login` (and its alias `POST /api/auth`), `/auth/refresh`, `/auth/logout`, `/auth/me`.
struct LoginRoutes {
    static let loginPath = "/api/v1/auth/login"
    static let aliasPath = "/api/auth"
    static let refreshPath = "/api/v1/auth/refresh"
    static let logoutPath = "/api/v1/auth/logout"
    static let mePath = "/api/v1/auth/me"

    let services: AuthServices

    /// One body for every wrong password, unknown user, inactive user or bad key.
    static let badCredentials = HTTPError.unauthorized("Invalid username or password.")
    static let badAPIKey = HTTPError.unauthorized("Invalid API key.")
    static let badRefreshToken = HTTPError.unauthorized("The refresh token is invalid, expired or revoked.",
                                                        challenge: #"Bearer error="invalid_token""#)

    /// `{type?: "password", username, password}` or `{type: "api_key", api_key}` (the older
    /// spellings "Password" and "ApiKey" too).
    enum LoginBody: SchemaValue {
        case password(username: String, password: String)
        case apiKey(String)

        private static let passwordTypes = ["password", "Password"]
        private static let keyTypes = ["api_key", "ApiKey"]

        static let schema = JSONSchema.oneOf([
            .object([
                .property("type", JSONSchema.string.oneOf(passwordTypes), required: false),
                .property("username", .string), .property("password", JSONSchema.string.format("password")),
            ]),
            .object([.property("type", JSONSchema.string.oneOf(keyTypes)), .property("api_key", .string)]),
        ]).checked { value, path throws(HTTPError) in
            let fields = try JSONFields(value, path: path)
            switch try fields.string("type") {
            case nil, "password", "Password":
                _ = try fields.requiredString("username")
                _ = try fields.requiredString("password")
            case "api_key", "ApiKey":
                _ = try fields.requiredString("api_key")
            default:
                throw .validation(fields.field("type"), #"must be "password" or "api_key""#)
            }
        }

        init(checked json: JSONValue) {
            let text = { (key: String) in json[key]?.stringValue ?? "" }
            self = Self.keyTypes.contains(text("type"))
                ? .apiKey(text("api_key")) : .password(username: text("username"), password: text("password"))
        }

        var json: JSONValue {
            switch self {
            case .password(let username, let password): ["username": .string(username), "password": .string(password)]
            case .apiKey(let key): ["type": "api_key", "api_key": .string(key)]
            }
        }
    }

    struct RefreshBody: JSONObject {
        var refreshToken = ""
        static let fields: [JSONField<Self>] = [JSONField("refresh_token", \.refreshToken, required: true)]
    }

    func register(on host: PluginHost) throws {
        let pair = Reply.json(TokenPairResponse.self, "A new access and refresh token")
        let throttled = [401: "Invalid username, password or API key",
                         429: "Too many failed logins; Retry-After says when to try again"]
        for (path, summary) in [(Self.loginPath, "Log in with a password or an API key"),
                                (Self.aliasPath, "Log in (alias of POST /api/v1/auth/login)")] {
            try host.route(.post, path, options: [.public], summary: summary, body: LoginBody.self, responds: [200: pair],
                           errors: throttled) { try self.login($0, $1) }
        }
        // The token comes as Bearer or in the body, so the handler reads the body itself.
        let refresh = RouteDocumentation(summary: "Rotate a refresh token (sent as Bearer, or in the body) for a new pair",
                                         requestBody: RefreshBody.schema, responses: [200: pair],
                                         errors: [401: "The refresh token is invalid, expired or revoked"])
        try host.route(.post, Self.refreshPath, options: [.public], openAPI: refresh.jsonText) { try self.refresh($0) }
        try host.route(.post, Self.logoutPath, summary: "End the caller's login (revokes its refresh family)",
                       responds: [204: .empty("Logged out")]) { try self.logout($0) }
        try host.route(.get, Self.mePath, options: .inlineUnlessBlocking, summary: "The calling user",
                       responds: [200: .json(UserResponse.self, "The user")]) { try self.me($0) }
    }

    private func login(_ request: Request, _ body: LoginBody) throws -> Response {
        switch body {
        case .password(let username, let password): return try passwordLogin(username, password, request)
        case .apiKey(let key): return try keyLogin(key, request)
        }
    }

    private func passwordLogin(_ username: String, _ password: String, _ request: Request) throws -> Response {
        let retryAfter = services.throttle.retryAfter(username, request)
        if retryAfter > 0 {
            services.events.login(success: false, method: .password, userID: nil, username: username, reason: "throttled",
                                  request: request)
            throw HTTPError(status: 429, type: "rate_limit", message: "Too many failed logins; try again later.",
                            headers: [.init("Retry-After", String(retryAfter))])
        }
        // Before the verification, so that nothing about the outcome is known sooner.
        services.throttle.slowDown(username)
        // Usernames that cannot exist still cost one bcrypt verification, like unknown ones.
        let user = username.utf8.count <= 64 ? try wrapped { try services.users.find(username: username) } : nil
        let verified = services.hasher.verify(password, hash: user?.passwordHash)
        guard let user, verified, user.isActive else {
            services.throttle.recordFailure(username, request)
            services.events.login(success: false, method: .password, userID: nil, username: username,
                                  reason: "invalid_credentials", request: request)
            throw Self.badCredentials
        }
        if services.hasher.needsRehash(user.passwordHash), let upgraded = services.hasher.hash(password) {
            try? services.users.updatePasswordHash(id: user.id, hash: upgraded)
        }
        let pair = try wrapped { try services.startSession(user: user, apiKey: nil) }
        services.events.login(success: true, method: .password, userID: user.id, username: user.username, request: request)
        return .jsonValue(pair.json)
    }

    private func keyLogin(_ secret: String, _ request: Request) throws -> Response {
        let now = Clock.milliseconds()
        let found = APIKeySecret.looksLikeKey(secret) && secret.utf8.count <= 256
            ? try wrapped { try services.apiKeys.find(hash: APIKeySecret.hash(secret)) } : nil
        guard let key = found?.key, let user = found?.user, key.isUsable(now: now), user.isActive else {
            services.events.login(success: false, method: .apiKey, userID: nil, username: nil, reason: "invalid_credentials",
                                  request: request)
            throw Self.badAPIKey
        }
        if services.keyUsage.shouldRecord(key.id, now: now) { try? services.apiKeys.touch(id: key.id, at: now) }
        let pair = try wrapped { try services.startSession(user: user, apiKey: key) }
        services.events.login(success: true, method: .apiKey, userID: user.id, username: user.username, apiKeyID: key.id,
                              request: request)
        return .jsonValue(pair.json)
    }

    private func refresh(_ request: Request) throws -> Response {
        let token: String
        if let credential = AuthenticationMiddleware.credential(request) {
            guard !credential.isEmpty else { throw Self.badRefreshToken }
            token = credential
        } else {
            token = try RefreshBody(json: request.jsonBody()).refreshToken
        }
        let now = Clock.milliseconds()
        guard let claims = try? services.tokens.verify(token, kind: .refresh, now: now / 1000), let family = claims.family else {
            services.events.login(success: false, method: .refresh, userID: nil, username: nil, reason: "invalid_token",
                                  request: request)
            throw Self.badRefreshToken
        }
        let newJTI = ResourceID.make("rt")
        let outcome = try wrapped {
            try services.sessions.rotate(jti: claims.id, familyID: family, userID: claims.subject, newJTI: newJTI,
                                                now: now, refreshTTL: services.settings.refreshTokenTTL)
        }
        switch outcome {
        case .rotated(let session, let expiresAt):
            services.events.login(success: true, method: .refresh, userID: session.user.id, username: session.user.username,
                                  apiKeyID: session.apiKey?.id, request: request)
            return .jsonValue(services.pair(user: session.user, familyID: family, permissions: session.permissions,
                                            refreshJTI: newJTI, now: now, refreshExpiresAt: expiresAt).json)
        case .reused(let session):
            services.sessionCache.invalidate()
            services.sockets.close([family], of: session.user.id)
            services.host.log(.warn, "refresh token reused: revoked login \(family) of user \(session.user.id)")
            services.events.login(success: false, method: .refresh, userID: session.user.id, username: session.user.username,
                                  reason: "refresh_token_reuse", request: request)
            throw Self.badRefreshToken
        case .refused:
            services.events.login(success: false, method: .refresh, userID: nil, username: nil, reason: "invalid_token",
                                  request: request)
            throw Self.badRefreshToken
        }
    }

    private func logout(_ request: Request) throws -> Response {
        if let family = request.attribute(AuthenticationMiddleware.sessionAttribute), let principal = request.principal {
            try wrapped {
                try services.sessions.revoke(familyID: family, reason: "logout", now: Clock.milliseconds())
                services.sessionCache.invalidate()
            }
            services.sockets.close([family], of: principal.userID)
        }
        return .noContent
    }

    /// Inline unless blocking: a login in the cache answers on the network thread; an API
    /// key's caller (no login) or a cache miss is read on a worker.
    private func me(_ request: Request) throws -> Response {
        guard let principal = request.principal else { throw AuthenticationMiddleware.invalid }
        let mayBlock = request.mayBlock
        if let family = request.attribute(AuthenticationMiddleware.sessionAttribute),
           let session = mayBlock ? try wrapped({ try services.session(family) }) : services.sessionCache.cached(family),
           !session.userJSON.isEmpty {
            return Response(status: 200, headers: [("Content-Type", "application/json")], body: session.userJSON)
        }
        if !mayBlock { throw WouldBlock() }
        let user = try wrapped { try services.users.find(id: principal.userID) }
        guard let user else { throw HTTPError.notFound("No such user.") }
        return .jsonValue(user.response.json)
    }
}

/// Runs storage work, turning its failures into API errors that reveal nothing.
func wrapped<T>(_ body: () throws -> T) throws(HTTPError) -> T {
    do { return try body() } catch { throw HTTPError.storage(error) }
}
