import PluginKit

/// `/users`: registration (open or admin-only), admin listing, self-or-admin reads and
/// updates, admin deletion. Another user's record answers 404, as a missing one does.
struct UserRoutes {
    static let collection = "/api/v1/users"
    static let item = "/api/v1/users/{id}"

    let services: AuthServices

    struct CreateBody: JSONObject {
        var username = ""
        var password = ""
        var email: String?
        var displayName: String?
        var isAdmin = false

        static let fields: [JSONField<Self>] = [
            JSONField("username", \.username, required: true) { _ in AuthFields.username },
            JSONField("password", \.password, required: true) { _ in AuthFields.password },
            JSONField("email", \.email) { _ in AuthFields.email.orNull() },
            JSONField("display_name", \.displayName) { _ in AuthFields.displayName.orNull() },
            JSONField("is_admin", \.isAdmin),
        ]
    }

    /// PATCH semantics: absent leaves a field alone; `null` clears `email` and `display_name`.
    struct UpdateBody: JSONObject {
        var email: String??
        var displayName: String??
        var password: String?
        var isActive: Bool?
        var isAdmin: Bool?

        static let fields: [JSONField<Self>] = [
            JSONField("email", \.email) { _ in AuthFields.email.orNull() },
            JSONField("display_name", \.displayName) { _ in AuthFields.displayName.orNull() },
            JSONField("password", \.password) { _ in AuthFields.password },
            JSONField("is_active", \.isActive),
            JSONField("is_admin", \.isAdmin),
        ]
    }

    /// The query of `GET /users`.
    struct ListQuery: JSONObject {
        var page = PageRequest(sortBy: "created_at")
        static let fields: [JSONField<Self>] = PageRequest.fields(\.page, sortFields: UserStore.sortColumns.keys.sorted())
    }

    func register(on host: PluginHost) throws {
        // With open registration anyone may sign up; otherwise only administrators create users.
        let createOptions: PluginHost.RouteOptions = services.settings.openRegistration ? [.public] : [.admin]
        let user = Reply.json(UserResponse.self, "The user")
        try host.route(.post, Self.collection, options: createOptions,
                       summary: "Create a user (open registration, or administrators)", body: CreateBody.self,
                       responds: [201: user], errors: [403: "Only administrators create administrators",
                                                       409: "The username is taken"]) { try self.create($0, $1) }
        try host.route(.get, Self.collection, options: [.admin], summary: "List users (administrators)",
                       query: ListQuery.self, responds: [200: .page(of: UserResponse.self, "One page of users")]) {
            try self.list($0, $1)
        }
        try host.route(.get, Self.item, summary: "A user (self or administrators)", responds: [200: user]) {
            try self.read($0)
        }
        // A password login holds every permission, so it edits its own profile as before.
        try host.route(.patch, Self.item, permission: Permissions.manageUsers,
                       summary: "Update a user (self or administrators; with an API key only if it holds manage_users)",
                       description: "A new password ends the user's logins.", body: UpdateBody.self,
                       responds: [200: user], errors: [409: "The last active administrator cannot be demoted"]) {
            try self.update($0, $1)
        }
        try host.route(.delete, Self.item, options: [.admin], summary: "Delete a user (administrators)",
                       responds: [204: .empty("Deleted")],
                       errors: [409: "The last active administrator cannot be deleted"]) { try self.delete($0) }
    }

    private func create(_ request: Request, _ body: CreateBody) throws -> Response {
        let caller = request.principal
        if body.isAdmin, caller?.isAdmin != true {
            throw HTTPError.forbidden("Only administrators can create administrators.")
        }
        let user: User
        do {
            user = try services.createUser(username: body.username, password: body.password, email: body.email,
                                           displayName: body.displayName, isAdmin: body.isAdmin)
        } catch .invalid(let error) {
            throw error
        } catch .usernameTaken {
            throw HTTPError.conflict("The username is already taken.")
        } catch {
            throw HTTPError.storage(error)
        }
        services.events.userCreated(user, by: caller?.userID)
        return .jsonValue(user.response.json, status: 201)
    }

    private func list(_ request: Request, _ query: ListQuery) throws -> Response {
        let (users, total) = try wrapped { try services.users.list(query.page) }
        return .jsonValue(query.page.envelope(users.map(\.response.json), total: total))
    }

    /// The user `{id}` if the caller may see it (self or admin), else 404.
    private func visibleUser(_ request: Request) throws -> (User, Principal) {
        guard let principal = request.principal else { throw AuthenticationMiddleware.invalid }
        let id = request.pathParameter("id") ?? ""
        guard principal.isAdmin || principal.userID == id else { throw HTTPError.notFound("No such user.") }
        guard let user = try wrapped({ try services.users.find(id: id) }) else { throw HTTPError.notFound("No such user.") }
        return (user, principal)
    }

    private func read(_ request: Request) throws -> Response {
        .jsonValue(try visibleUser(request).0.response.json)
    }

    private func update(_ request: Request, _ body: UpdateBody) throws -> Response {
        let (current, principal) = try visibleUser(request)
        if (body.isActive != nil || body.isAdmin != nil), !principal.isAdmin {
            throw HTTPError.forbidden("Only administrators can change is_active or is_admin.")
        }
        var user = current
        if let email = body.email { user.email = email }
        if let name = body.displayName { user.displayName = name }
        if let password = body.password {
            guard principal.apiKeyID == nil else {
                throw HTTPError.forbidden("A password cannot be changed with an API key; log in with the password.")
            }
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
        return .jsonValue(user.response.json)
    }

    private func delete(_ request: Request) throws -> Response {
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
