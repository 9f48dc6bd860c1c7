import PluginKit

/// `/users`: registration (open or admin-only), admin listing, self-or-admin reads and
/// updates, admin deletion. Another user's record answers 404, as a missing one does.
struct UserRoutes {
    static let collection = "/api/v1/users"
    static let item = "/api/v1/users/{id}"

    let services: AuthServices

    struct CreateBody: Decodable {
        let username: String
        let password: String
        let email: String?
        let display_name: String?
        let is_admin: Bool?
    }

    struct UpdateBody: Decodable {
        let email: Patch<String>
        let displayName: Patch<String>
        let password: String?
        let isActive: Bool?
        let isAdmin: Bool?

        enum Keys: String, CodingKey { case email, display_name, password, is_active, is_admin }

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: Keys.self)
            email = try c.decodePatch(String.self, forKey: .email)
            displayName = try c.decodePatch(String.self, forKey: .display_name)
            password = try c.decodeIfPresent(String.self, forKey: .password)
            isActive = try c.decodeIfPresent(Bool.self, forKey: .is_active)
            isAdmin = try c.decodeIfPresent(Bool.self, forKey: .is_admin)
        }
    }

    func register(on host: PluginHost) throws {
        // With open registration anyone may sign up; otherwise only administrators create users.
        let createOptions: PluginHost.RouteOptions = services.settings.openRegistration ? [.public] : [.admin]
        try host.route(.post, Self.collection, options: createOptions, openAPI: OpenAPI.createUser) { try self.create($0) }
        try host.route(.get, Self.collection, options: [.admin], openAPI: OpenAPI.listUsers) { try self.list($0) }
        try host.route(.get, Self.item, openAPI: OpenAPI.getUser) { try self.read($0) }
        // A password login holds every permission, so it edits its own profile as before.
        try host.route(.patch, Self.item, permission: Permissions.manageUsers, openAPI: OpenAPI.updateUser) {
            try self.update($0)
        }
        try host.route(.delete, Self.item, options: [.admin], openAPI: OpenAPI.deleteUser) { try self.delete($0) }
    }

    func create(_ request: Request) throws -> Response {
        let body = try request.decodeJSON(CreateBody.self)
        let caller = request.principal
        if body.is_admin == true, caller?.isAdmin != true {
            throw HTTPError.forbidden("Only administrators can create administrators.")
        }
        let user: User
        do {
            user = try services.createUser(username: body.username, password: body.password, email: body.email,
                                           displayName: body.display_name, isAdmin: body.is_admin ?? false)
        } catch .invalid(let error) {
            throw error
        } catch .usernameTaken {
            throw HTTPError.conflict("The username is already taken.")
        } catch {
            throw HTTPError.storage(error)
        }
        services.events.userCreated(user, by: caller?.userID)
        return try .json(user.response, status: 201)
    }

    func list(_ request: Request) throws -> Response {
        let pagination = try Pagination(request, sortColumns: [
            "created_at": "created_at", "updated_at": "updated_at", "username": "username_key", "name": "username_key",
        ])
        let (users, total) = try wrapped { try services.users.list(pagination) }
        return try .json(pagination.page(users.map(\.response), total: total))
    }

    /// The user `{id}` if the caller may see it (self or admin), else 404.
    private func visibleUser(_ request: Request) throws -> (User, Principal) {
        guard let principal = request.principal else { throw AuthenticationMiddleware.invalid }
        let id = request.pathParameter("id") ?? ""
        guard principal.isAdmin || principal.userID == id else { throw HTTPError.notFound("No such user.") }
        guard let user = try wrapped({ try services.users.find(id: id) }) else { throw HTTPError.notFound("No such user.") }
        return (user, principal)
    }

    func read(_ request: Request) throws -> Response {
        try .json(visibleUser(request).0.response)
    }

    func update(_ request: Request) throws -> Response {
        let (current, principal) = try visibleUser(request)
        let body = try request.decodeJSON(UpdateBody.self)
        if (body.isActive != nil || body.isAdmin != nil), !principal.isAdmin {
            throw HTTPError.forbidden("Only administrators can change is_active or is_admin.")
        }
        var user = current
        if case .value(let email) = body.email {
            try Validation.email(email)
            user.email = email
        } else if case .null = body.email {
            user.email = nil
        }
        if case .value(let name) = body.displayName {
            try Validation.displayName(name)
            user.displayName = name
        } else if case .null = body.displayName {
            user.displayName = nil
        }
        if let password = body.password {
            guard principal.apiKeyID == nil else {
                throw HTTPError.forbidden("A password cannot be changed with an API key; log in with the password.")
            }
            try Validation.password(password)
            guard let hash = services.hasher.hash(password) else {
                throw HTTPError(status: 500, type: "internal_error", message: "The server failed to handle this request.")
            }
            user.passwordHash = hash
        }
        if let active = body.isActive { user.isActive = active }
        if let admin = body.isAdmin { user.isAdmin = admin }
        user.updatedAt = Clock.milliseconds()
        let losesAdmin = current.isAdmin && current.isActive && !(user.isAdmin && user.isActive)
        let endsSessions = body.password != nil || (current.isActive && !user.isActive)
        // A WebSocket keeps the admin flag it was opened with: losing that, or the account, ends them all.
        let endsAllSockets = (current.isActive && !user.isActive) || (current.isAdmin && !user.isAdmin)
        let revoked: [String]? = try wrapped {
            try services.changingSessions { transaction -> [String]? in
                if losesAdmin, try services.users.otherActiveAdmins(than: user.id, in: transaction) == 0 { return nil }
                try services.users.update(user, in: transaction)
                guard endsSessions else { return [] }
                return try services.sessions.revokeAll(
                    userID: user.id, reason: body.password != nil ? "password_change" : "deactivated", in: transaction,
                    now: user.updatedAt)
            }
        }
        guard let revoked else {
            throw HTTPError.conflict("The last active administrator cannot be demoted or deactivated.")
        }
        if endsAllSockets { services.sockets.closeAll(of: user.id) } else { services.sockets.close(revoked, of: user.id) }
        return try .json(user.response)
    }

    func delete(_ request: Request) throws -> Response {
        let (user, principal) = try visibleUser(request)
        let deleted: Bool? = try wrapped {
            try services.changingSessions { transaction -> Bool? in
                if user.isAdmin, user.isActive, try services.users.otherActiveAdmins(than: user.id, in: transaction) == 0 {
                    return nil
                }
                return try services.users.delete(id: user.id, in: transaction)
            }
        }
        switch deleted {
        case nil: throw HTTPError.conflict("The last active administrator cannot be deleted.")
        case false?: throw HTTPError.notFound("No such user.")
        case true?:
            services.sockets.closeAll(of: user.id)
            services.events.userDeleted(user, by: principal.userID)
            return .noContent
        }
    }
}
