import Foundation
import PluginABI

/// The request a handler or middleware is called with. Valid only during that call, on
/// that thread (the ABI's rule); copy what you need to keep.
public struct Request {
    let handle: OpaquePointer
    let http: UnsafePointer<pattern_http_api>
    /// The host's deferred-response table; nil on a host before ABI 1.4.
    var responses: UnsafePointer<pattern_responses_api>? = nil


    /// Whether this callback may block: true on a worker thread, false on the network thread
    /// (an inline route or middleware, where blocking work answers `WouldBlock`). Always true
    /// on hosts before ABI 1.5, which run nothing inline that could ask.
    public var mayBlock: Bool {
        abiHasField(http.pointee.struct_size, \pattern_http_api.may_block) ? http.pointee.may_block(handle) != 0 : true
    }

    public var method: String { http.pointee.method(handle).string }
    /// The raw path, without the query.
    public var path: String { http.pointee.path(handle).string }
    /// The matched route's template, e.g. `/api/v1/agents/{id}`; empty when unmatched.
    public var routeTemplate: String { http.pointee.route_template(handle).string }
    /// Identifies the matched route without building its template string: the host keeps each
    /// template at one address for the life of the process, so equal ids mean the same route
    /// (0 when no route matched). Lets observers key per-route state by an integer.
    public var routeID: UInt { UInt(bitPattern: http.pointee.route_template(handle).ptr) }
    public var requestID: String { http.pointee.request_id(handle).string }
    public var clientIP: String { http.pointee.client_ip(handle).string }
    public var body: [UInt8] { http.pointee.body(handle).byteArray }

    // Borrowed views for per-request hot paths (middleware, observers): no String is built.
    // Like the request itself they are valid only during the call that received it.
    public var methodBytes: UnsafeRawBufferPointer { http.pointee.method(handle).borrowedBytes }
    public var pathBytes: UnsafeRawBufferPointer { http.pointee.path(handle).borrowedBytes }
    public var clientIPBytes: UnsafeRawBufferPointer { http.pointee.client_ip(handle).borrowedBytes }

    /// The first header with this name (case-insensitive).
    public func header(_ name: String) -> String? {
        var value = pattern_str()
        let status = withABIString(name) { http.pointee.header(handle, $0, &value) }
        return status == PATTERN_OK ? value.string : nil
    }

    /// A `{param}` of the route, percent-decoded.
    public func pathParameter(_ name: String) -> String? {
        var value = pattern_str()
        let status = withABIString(name) { http.pointee.path_param(handle, $0, &value) }
        return status == PATTERN_OK ? value.string : nil
    }

    /// A query parameter, percent-decoded; the first when repeated; nil when absent. A value
    /// that is not text once decoded (malformed percent-encoding, not UTF-8, a control
    /// character: the host refuses to hand it out) is a `validation_error` naming the parameter.
    public func query(_ name: String) throws(HTTPError) -> String? {
        var value = pattern_str()
        let status = withABIString(name) { http.pointee.query_param(handle, $0, &value) }
        switch status {
        case PATTERN_OK: return value.string
        case PATTERN_INVALID: throw .validation(name, "must be percent-encoded UTF-8 text without control characters")
        default: return nil
        }
    }

    public var principal: Principal? {
        var view = pattern_principal()
        view.struct_size = UInt32(MemoryLayout<pattern_principal>.size)
        guard http.pointee.get_principal(handle, &view) == PATTERN_OK else { return nil }
        let permissions = (0..<view.permission_count).map { view.permissions[$0].string }
        let keyID = view.api_key_id.string
        var principal = Principal(userID: view.user_id.string, isAdmin: view.is_admin != 0, permissions: permissions,
                                  apiKeyID: keyID.isEmpty ? nil : keyID, rateLimit: view.rate_limit)
        // A host before 1.3 leaves these fields out (and says so in struct_size).
        if abiHasField(view.struct_size, \pattern_principal.rate_limit_above_policy) {
            principal.sessionID = view.session_id.len == 0 ? nil : view.session_id.string
            principal.expiresAt = view.expires_at
            principal.rateLimitAbovePolicy = view.rate_limit_above_policy != 0
        }
        return principal
    }

    /// The calling user's id. On routes registered without `.public` the host has already
    /// answered 401 when nobody authenticated; this is the belt to that brace.
    public func callerID() throws(HTTPError) -> String {
        guard let principal, !principal.userID.isEmpty else {
            throw HTTPError.unauthorized("Authentication is required.")
        }
        return principal.userID
    }

    /// The `{parameter}` path parameter when it can be an id of this kind at all, else 404:
    /// an id that cannot exist is just as absent as one that does not.
    public func resourceID(_ parameter: String = "id", prefix: String, missing: String) throws(HTTPError) -> String {
        guard let id = pathParameter(parameter), ResourceID.isValid(id, prefix: prefix) else {
            throw HTTPError.notFound(missing)
        }
        return id
    }

    /// Sets who is calling (for authenticating plugins).
    public func setPrincipal(_ principal: Principal) {
        _ = withABIString(principal.userID) { userID in
            withABIString(principal.apiKeyID ?? "") { keyID in
                withABIString(principal.sessionID ?? "") { sessionID in
                    withPermissionViews(principal.permissions) { list, count in
                        var view = pattern_principal(
                            struct_size: UInt32(MemoryLayout<pattern_principal>.size), user_id: userID,
                            is_admin: principal.isAdmin ? 1 : 0, permissions: list, permission_count: count,
                            api_key_id: keyID, rate_limit: principal.rateLimit, session_id: sessionID,
                            expires_at: principal.expiresAt,
                            rate_limit_above_policy: principal.rateLimitAbovePolicy ? 1 : 0)
                        return http.pointee.set_principal(handle, &view)
                    }
                }
            }
        }
    }

    /// Decodes the JSON body, answering 415 / `json_error` / `validation_error` (naming the
    /// field) the way API.md requires.
    public func decodeJSON<Body: Decodable>(_ type: Body.Type) throws(HTTPError) -> Body {
        try JSONBody.decode(Body.self, contentType: header("content-type"), body: body)
    }
}

/// The permissions as borrowed `pattern_str`s into one buffer (two allocations per request,
/// not one per permission: an authenticated request sets a principal every time).
private func withPermissionViews<R>(_ permissions: [String], _ body: (UnsafePointer<pattern_str>?, Int) -> R) -> R {
    var bytes: [UInt8] = []
    bytes.reserveCapacity(permissions.reduce(0) { $0 + $1.utf8.count })
    for permission in permissions { bytes += permission.utf8 }
    return bytes.withUnsafeBufferPointer { buffer in
        let base = UnsafeRawPointer(buffer.baseAddress).map { $0.assumingMemoryBound(to: CChar.self) }
        var offset = 0
        let views = permissions.map { permission -> pattern_str in
            defer { offset += permission.utf8.count }
            return pattern_str(ptr: base.map { $0 + offset }, len: permission.utf8.count)
        }
        return views.withUnsafeBufferPointer { body($0.baseAddress, $0.count) }
    }
}

/// Who is calling, as the authenticating plugin set it.
public struct Principal: Sendable, Equatable {
    public var userID: String
    public var isAdmin: Bool
    public var permissions: [String]
    public var apiKeyID: String?
    /// Requests per minute for this credential; 0 means the default policy.
    public var rateLimit: Int64
    /// The login the credential belongs to (a token's session, an API key's id): the host
    /// closes WebSocket connections opened with it when the login ends (ABI 1.3).
    public var sessionID: String?
    /// Unix seconds when the credential expires, 0 = never (ABI 1.3).
    public var expiresAt: Int64
    /// An administrator granted `rateLimit` above the server's policy (ABI 1.3).
    public var rateLimitAbovePolicy: Bool

    public init(userID: String, isAdmin: Bool, permissions: [String], apiKeyID: String? = nil, rateLimit: Int64 = 0,
                sessionID: String? = nil, expiresAt: Int64 = 0, rateLimitAbovePolicy: Bool = false) {
        self.userID = userID
        self.isAdmin = isAdmin
        self.permissions = permissions
        self.apiKeyID = apiKeyID
        self.rateLimit = rateLimit
        self.sessionID = sessionID
        self.expiresAt = expiresAt
        self.rateLimitAbovePolicy = rateLimitAbovePolicy
    }
}
