import PluginKit

/// `/api-keys`: the caller's keys. Creating returns the key once; it is stored only as a hash.
/// A request made with a key can give a new key (or a changed one) only permissions it holds.
struct APIKeyRoutes {
    static let collection = "/api/v1/api-keys"
    static let item = "/api/v1/api-keys/{id}"
    static let permission = "manage_api_keys"

    let services: AuthServices

    struct CreateBody: JSONObject {
        var name = ""
        var permissions: [String] = []
        var expiresAt: String?
        var rateLimit: Int64?

        static let fields: [JSONField<Self>] = [
            JSONField("name", \.name, required: true) { _ in AuthFields.keyName },
            JSONField("permissions", \.permissions, required: true) { _ in AuthFields.permissions },
            JSONField("expires_at", \.expiresAt) { _ in JSONSchema.timestamp.orNull() },
            JSONField("rate_limit", \.rateLimit) { _ in AuthFields.rateLimit.orNull() },
        ]
    }

    /// PATCH semantics: absent leaves a field alone; `null` clears `expires_at` and `rate_limit`.
    struct UpdateBody: JSONObject {
        var name: String?
        var permissions: [String]?
        var expiresAt: String??
        var rateLimit: Int64??
        var enabled: Bool?

        static let fields: [JSONField<Self>] = [
            JSONField("name", \.name) { _ in AuthFields.keyName },
            JSONField("permissions", \.permissions) { _ in AuthFields.permissions },
            JSONField("expires_at", \.expiresAt) { _ in JSONSchema.timestamp.orNull() },
            JSONField("rate_limit", \.rateLimit) { _ in AuthFields.rateLimit.orNull() },
            JSONField("enabled", \.enabled),
        ]
    }

    /// The query of `GET /api-keys`.
    struct ListQuery: JSONObject {
        var page = PageRequest(sortBy: "created_at")
        static let fields: [JSONField<Self>] = PageRequest.fields(\.page, sortFields: APIKeyStore.sortColumns.keys.sorted())
    }

    func register(on host: PluginHost) throws {
        let key = Reply.json(APIKeyResponse.self, "The key")
        try host.route(.post, Self.collection, permission: Self.permission,
                       summary: "Create an API key (the key is shown only in this response)", body: CreateBody.self,
                       responds: [201: .json(CreatedAPIKeyResponse.self, "The new key")]) { try self.create($0, $1) }
        try host.route(.get, Self.collection, permission: Self.permission, summary: "The caller's API keys",
                       query: ListQuery.self, responds: [200: .page(of: APIKeyResponse.self, "One page of keys")]) {
            try self.list($0, $1)
        }
        try host.route(.get, Self.item, permission: Self.permission, summary: "One of the caller's API keys",
                       responds: [200: key]) { try self.read($0) }
        try host.route(.patch, Self.item, permission: Self.permission,
                       summary: "Update an API key; narrowing or disabling it ends logins made with it",
                       body: UpdateBody.self, responds: [200: key]) { try self.update($0, $1) }
        try host.route(.delete, Self.item, permission: Self.permission, summary: "Delete an API key",
                       responds: [204: .empty("Deleted")]) { try self.delete($0) }
    }

    private func caller(_ request: Request) throws(HTTPError) -> Principal {
        guard let principal = request.principal else { throw AuthenticationMiddleware.invalid }
        return principal
    }

    /// A key may only hand out what it holds itself; a full login holds everything.
    private func checkGrantable(_ permissions: [String], by principal: Principal) throws(HTTPError) {
        guard principal.apiKeyID != nil else { return }
        if let missing = permissions.first(where: { !principal.permissions.contains($0) }) {
            throw HTTPError.forbidden("Missing permission: \(missing).")
        }
    }

    private func expiry(_ text: String, now: Int64) throws(HTTPError) -> Int64 {
        guard let time = Timestamp.parse(text) else {
            throw HTTPError(status: 400, type: "datetime_error", message: "expires_at: must be an RFC 3339 date-time",
                            fields: [.init(field: "expires_at", message: "must be an RFC 3339 date-time")])
        }
        guard time > now else { throw .validation("expires_at", "must be in the future") }
        return time
    }

    private func create(_ request: Request, _ body: CreateBody) throws -> Response {
        let principal = try caller(request)
        try checkGrantable(body.permissions, by: principal)
        let now = Clock.milliseconds()
        let expiresAt = try body.expiresAt.map { text throws(HTTPError) in try expiry(text, now: now) }
        let secret = APIKeySecret.generate()
        let key = APIKey(id: ResourceID.make("key"), userID: principal.userID, name: body.name,
                         keyPrefix: APIKeySecret.shownPrefix(secret), permissions: Permissions.normalized(body.permissions),
                         rateLimit: body.rateLimit, rateLimitGrantedByAdmin: body.rateLimit != nil && principal.isAdmin,
                         enabled: true, createdAt: now, updatedAt: now, expiresAt: expiresAt, lastUsedAt: nil)
        try wrapped { try services.apiKeys.insert(key, hash: APIKeySecret.hash(secret)) }
        return .jsonValue(CreatedAPIKeyResponse(key: key, secret: secret).json, status: 201)
    }

    private func list(_ request: Request, _ query: ListQuery) throws -> Response {
        let principal = try caller(request)
        let (keys, total) = try wrapped { try services.apiKeys.list(userID: principal.userID, query.page) }
        return .jsonValue(query.page.envelope(keys.map { APIKeyResponse(key: $0).json }, total: total))
    }

    private func ownKey(_ request: Request) throws -> (APIKey, Principal) {
        let principal = try caller(request)
        let id = request.pathParameter("id") ?? ""
        guard let key = try wrapped({ try services.apiKeys.find(id: id, userID: principal.userID) }) else {
            throw HTTPError.notFound("No such API key.")
        }
        return (key, principal)
    }

    private func read(_ request: Request) throws -> Response {
        .jsonValue(APIKeyResponse(key: try ownKey(request).0).json)
    }

    private func update(_ request: Request, _ body: UpdateBody) throws -> Response {
        let (current, principal) = try ownKey(request)
        let now = Clock.milliseconds()
        var key = current
        if let name = body.name { key.name = name }
        if let permissions = body.permissions {
            try checkGrantable(permissions, by: principal)
            key.permissions = Permissions.normalized(permissions)
        }
        switch body.expiresAt {
        case .some(.some(let text)): key.expiresAt = try expiry(text, now: now)
        case .some(nil): key.expiresAt = nil
        case nil: break
        }
        switch body.rateLimit {
        case .some(.some(let limit)):
            key.rateLimit = limit
            key.rateLimitGrantedByAdmin = principal.isAdmin
        case .some(nil):
            key.rateLimit = nil
            key.rateLimitGrantedByAdmin = false
        case nil: break
        }
        if let enabled = body.enabled { key.enabled = enabled }
        key.updatedAt = now
        // Tokens minted from the key carry its old permissions: a narrowed or disabled key ends them.
        // A WebSocket keeps the expiry it was opened with, so an earlier one ends the key's sockets.
        let endsSessions = key.permissions != current.permissions || (current.enabled && !key.enabled)
        let expiresSooner = key.expiresAt.map { soon in current.expiresAt.map { soon < $0 } ?? true } ?? false
        let logins: [String] = try wrapped {
            try services.changingSessions { transaction in
                try services.apiKeys.update(key, in: transaction)
                if endsSessions {
                    return try services.sessions.revokeAll(apiKeyID: key.id, reason: "api_key_changed", in: transaction,
                                                           now: now)
                }
                return expiresSooner ? try services.sessions.live(apiKeyID: key.id, in: transaction, now: now) : []
            }
        }
        if endsSessions || expiresSooner { services.sockets.close(logins + [key.id], of: key.userID) }
        return .jsonValue(APIKeyResponse(key: key).json)
    }

    private func delete(_ request: Request) throws -> Response {
        let (key, principal) = try ownKey(request)
        let logins: [String]? = try wrapped {
            try services.changingSessions { transaction -> [String]? in
                let revoked = try services.sessions.revokeAll(apiKeyID: key.id, reason: "api_key_deleted", in: transaction,
                                                              now: Clock.milliseconds())
                return try services.apiKeys.delete(id: key.id, userID: principal.userID, in: transaction) ? revoked : nil
            }
        }
        guard let logins else { throw HTTPError.notFound("No such API key.") }
        services.sockets.close(logins + [key.id], of: key.userID)
        return .noContent
    }
}
