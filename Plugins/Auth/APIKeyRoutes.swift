import PluginKit

/// `/api-keys`: the caller's keys. Creating returns the key once; it is stored only as a hash.
/// A request made with a key can give a new key (or a changed one) only permissions it holds.
struct APIKeyRoutes {
    static let collection = "/api/v1/api-keys"
    static let item = "/api/v1/api-keys/{id}"
    static let permission = "manage_api_keys"

    let services: AuthServices

    struct CreateBody: Decodable {
        let name: String
        let permissions: [String]
        let expires_at: String?
        let rate_limit: Int64?
    }

    struct UpdateBody: Decodable {
        let name: String?
        let permissions: [String]?
        let expiresAt: Patch<String>
        let rateLimit: Patch<Int64>
        let enabled: Bool?

        enum Keys: String, CodingKey { case name, permissions, expires_at, rate_limit, enabled }

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: Keys.self)
            name = try c.decodeIfPresent(String.self, forKey: .name)
            permissions = try c.decodeIfPresent([String].self, forKey: .permissions)
            expiresAt = try c.decodePatch(String.self, forKey: .expires_at)
            rateLimit = try c.decodePatch(Int64.self, forKey: .rate_limit)
            enabled = try c.decodeIfPresent(Bool.self, forKey: .enabled)
        }
    }

    func register(on host: PluginHost) throws {
        try host.route(.post, Self.collection, permission: Self.permission, openAPI: OpenAPI.createKey) { try self.create($0) }
        try host.route(.get, Self.collection, permission: Self.permission, openAPI: OpenAPI.listKeys) { try self.list($0) }
        try host.route(.get, Self.item, permission: Self.permission, openAPI: OpenAPI.getKey) { try self.read($0) }
        try host.route(.patch, Self.item, permission: Self.permission, openAPI: OpenAPI.updateKey) { try self.update($0) }
        try host.route(.delete, Self.item, permission: Self.permission, openAPI: OpenAPI.deleteKey) { try self.delete($0) }
    }

    private func caller(_ request: Request) throws(HTTPError) -> Principal {
        guard let principal = request.principal else { throw AuthenticationMiddleware.invalid }
        return principal
    }

    /// A key may only hand out what it holds itself; a full login holds everything.
    private func checkGrantable(_ permissions: [String], by principal: Principal) throws(HTTPError) {
        try Validation.permissions(permissions)
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

    func create(_ request: Request) throws -> Response {
        let principal = try caller(request)
        let body = try request.decodeJSON(CreateBody.self)
        try Validation.name(body.name)
        try checkGrantable(body.permissions, by: principal)
        try Validation.rateLimit(body.rate_limit)
        let now = Clock.milliseconds()
        let expiresAt = try body.expires_at.map { text throws(HTTPError) in try expiry(text, now: now) }
        let secret = APIKeySecret.generate()
        let key = APIKey(id: ResourceID.make("key"), userID: principal.userID, name: body.name,
                         keyPrefix: APIKeySecret.shownPrefix(secret), permissions: Permissions.normalized(body.permissions),
                         rateLimit: body.rate_limit, rateLimitGrantedByAdmin: body.rate_limit != nil && principal.isAdmin,
                         enabled: true, createdAt: now, updatedAt: now, expiresAt: expiresAt, lastUsedAt: nil)
        try wrapped { try services.apiKeys.insert(key, hash: APIKeySecret.hash(secret)) }
        return try .json(CreatedAPIKeyResponse(key: key, secret: secret), status: 201)
    }

    func list(_ request: Request) throws -> Response {
        let principal = try caller(request)
        let pagination = try Pagination(request, sortColumns: [
            "created_at": "created_at", "updated_at": "updated_at", "name": "name", "last_used_at": "last_used_at",
        ])
        let (keys, total) = try wrapped { try services.apiKeys.list(userID: principal.userID, pagination) }
        return try .json(pagination.page(keys.map(APIKeyResponse.init(key:)), total: total))
    }

    private func ownKey(_ request: Request) throws -> (APIKey, Principal) {
        let principal = try caller(request)
        let id = request.pathParameter("id") ?? ""
        guard let key = try wrapped({ try services.apiKeys.find(id: id, userID: principal.userID) }) else {
            throw HTTPError.notFound("No such API key.")
        }
        return (key, principal)
    }

    func read(_ request: Request) throws -> Response {
        try .json(APIKeyResponse(key: ownKey(request).0))
    }

    func update(_ request: Request) throws -> Response {
        let (current, principal) = try ownKey(request)
        let body = try request.decodeJSON(UpdateBody.self)
        let now = Clock.milliseconds()
        var key = current
        if let name = body.name {
            try Validation.name(name)
            key.name = name
        }
        if let permissions = body.permissions {
            try checkGrantable(permissions, by: principal)
            key.permissions = Permissions.normalized(permissions)
        }
        switch body.expiresAt {
        case .value(let text): key.expiresAt = try expiry(text, now: now)
        case .null: key.expiresAt = nil
        case .absent: break
        }
        switch body.rateLimit {
        case .value(let limit):
            try Validation.rateLimit(limit)
            key.rateLimit = limit
            key.rateLimitGrantedByAdmin = principal.isAdmin
        case .null:
            key.rateLimit = nil
            key.rateLimitGrantedByAdmin = false
        case .absent: break
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
        return try .json(APIKeyResponse(key: key))
    }

    func delete(_ request: Request) throws -> Response {
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
