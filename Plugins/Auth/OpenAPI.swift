import Foundation

/// The OpenAPI 3.1 Operation Objects of the plugin's routes (the host adds security, path
/// parameters and the shared error responses).
enum OpenAPI {
    // MARK: Schemas

    private static var timestamp: [String: Any] {
        ["type": "string", "format": "date-time"]
    }
    private static var nullableTimestamp: [String: Any] {
        ["type": ["string", "null"], "format": "date-time"]
    }
    private static var permissionList: [String: Any] {
        ["type": "array", "items": ["type": "string", "enum": Permissions.all]]
    }

    private static var user: [String: Any] {
        object([
            "id": ["type": "string", "example": "user_01jd8x3k5q0000000000000000"],
            "username": ["type": "string"], "display_name": ["type": ["string", "null"]],
            "email": ["type": ["string", "null"]], "created_at": timestamp, "updated_at": timestamp,
            "is_active": ["type": "boolean"], "is_admin": ["type": "boolean"],
        ])
    }

    private static var tokenPair: [String: Any] {
        object([
            "access_token": ["type": "string"], "refresh_token": ["type": "string"],
            "token_type": ["type": "string", "const": "Bearer"], "expires_in": ["type": "integer"], "user": user,
        ])
    }

    private static var apiKey: [String: Any] {
        object([
            "id": ["type": "string"], "name": ["type": "string"], "key_prefix": ["type": "string"],
            "permissions": permissionList, "created_at": timestamp, "expires_at": nullableTimestamp,
            "last_used_at": nullableTimestamp, "rate_limit": ["type": ["integer", "null"]], "enabled": ["type": "boolean"],
        ])
    }

    private static func object(_ properties: [String: Any], required: [String]? = nil) -> [String: Any] {
        ["type": "object", "properties": properties, "required": required ?? properties.keys.sorted()]
    }

    private static func page(_ item: [String: Any]) -> [String: Any] {
        object(["items": ["type": "array", "items": item], "page": ["type": "integer"], "limit": ["type": "integer"],
                "total": ["type": "integer"], "total_pages": ["type": "integer"]])
    }

    private static var listParameters: [[String: Any]] {
        [
            ["name": "page", "in": "query", "schema": ["type": "integer", "minimum": 1, "default": 1]],
            ["name": "limit", "in": "query", "schema": ["type": "integer", "minimum": 1, "maximum": 100, "default": 20]],
            ["name": "sort_by", "in": "query", "schema": ["type": "string"]],
            ["name": "sort_desc", "in": "query", "schema": ["type": "boolean"]],
            ["name": "is_active", "in": "query", "schema": ["type": "boolean"]],
        ]
    }

    // MARK: Operations

    private static func operation(_ id: String, _ summary: String, body: [String: Any]? = nil, status: String = "200",
                                  response: [String: Any]? = nil, parameters: [[String: Any]]? = nil,
                                  errors: [String] = []) -> String {
        var operation: [String: Any] = ["operationId": id, "summary": summary, "tags": ["auth"]]
        if let body {
            operation["requestBody"] = ["required": true, "content": ["application/json": ["schema": body]]]
        }
        var responses: [String: Any] = [:]
        if let response {
            responses[status] = ["description": summary, "content": ["application/json": ["schema": response]]]
        } else {
            responses[status] = ["description": summary]
        }
        for code in errors { responses[code] = ["description": errorDescriptions[code] ?? "Error"] }
        operation["responses"] = responses
        if let parameters { operation["parameters"] = parameters }
        let data = (try? JSONSerialization.data(withJSONObject: operation, options: [.sortedKeys])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    private static let errorDescriptions = [
        "400": "Validation error", "401": "Missing or invalid credentials", "403": "Forbidden",
        "404": "Not found", "409": "Conflict", "415": "Body is not JSON", "429": "Too many attempts",
    ]

    private static var loginBody: [String: Any] {
        [
            "oneOf": [
                object(["type": ["type": "string", "enum": ["password", "Password"]], "username": ["type": "string"],
                        "password": ["type": "string", "format": "password"]], required: ["username", "password"]),
                object(["type": ["type": "string", "enum": ["api_key", "ApiKey"]], "api_key": ["type": "string"]],
                       required: ["type", "api_key"]),
            ],
        ]
    }

    static let login = operation("login", "Log in with a password or an API key", body: loginBody, response: tokenPair,
                                 errors: ["400", "401", "429"])
    static let loginAlias = operation("loginAlias", "Log in (alias of POST /api/v1/auth/login)", body: loginBody,
                                      response: tokenPair, errors: ["400", "401", "429"])
    static let refresh = operation(
        "refreshToken", "Rotate a refresh token (sent as Bearer, or in the body) for a new pair",
        body: object(["refresh_token": ["type": "string"]]), response: tokenPair, errors: ["401"])
    static let logout = operation("logout", "End the caller's login (revokes its refresh family)", status: "204",
                                  errors: ["401"])
    static let me = operation("getMe", "The calling user", response: user, errors: ["401"])

    static let createUser = operation(
        "createUser", "Create a user (open registration, or administrators)",
        body: object(["username": ["type": "string", "pattern": "^[A-Za-z0-9_.-]{3,64}$"],
                      "password": ["type": "string", "minLength": 8, "format": "password"],
                      "email": ["type": ["string", "null"]], "display_name": ["type": ["string", "null"]],
                      "is_admin": ["type": "boolean"]], required: ["username", "password"]),
        status: "201", response: user, errors: ["400", "401", "403", "409"])
    static let listUsers = operation("listUsers", "List users (administrators)", response: page(user),
                                     parameters: listParameters, errors: ["400", "401", "403"])
    static let getUser = operation("getUser", "A user (self or administrators)", response: user, errors: ["401", "404"])
    static let updateUser = operation(
        "updateUser", "Update a user (self or administrators; with an API key only if it holds manage_users); "
            + "a new password ends the user's logins",
        body: object(["email": ["type": ["string", "null"]], "display_name": ["type": ["string", "null"]],
                      "password": ["type": "string", "minLength": 8], "is_active": ["type": "boolean"],
                      "is_admin": ["type": "boolean"]], required: []),
        response: user, errors: ["400", "401", "403", "404", "409"])
    static let deleteUser = operation("deleteUser", "Delete a user (administrators)", status: "204",
                                      errors: ["401", "403", "404", "409"])

    static let createKey = operation(
        "createApiKey", "Create an API key (the key is shown only in this response)",
        body: object(["name": ["type": "string"], "permissions": permissionList, "expires_at": nullableTimestamp,
                      "rate_limit": ["type": ["integer", "null"], "minimum": 1]], required: ["name", "permissions"]),
        status: "201",
        response: object(["id": ["type": "string"], "name": ["type": "string"], "key": ["type": "string"],
                          "key_prefix": ["type": "string"], "permissions": permissionList, "created_at": timestamp,
                          "expires_at": nullableTimestamp, "rate_limit": ["type": ["integer", "null"]],
                          "enabled": ["type": "boolean"]]),
        errors: ["400", "401", "403"])
    static let listKeys = operation("listApiKeys", "The caller's API keys", response: page(apiKey),
                                    parameters: listParameters, errors: ["400", "401", "403"])
    static let getKey = operation("getApiKey", "One of the caller's API keys", response: apiKey, errors: ["401", "403", "404"])
    static let updateKey = operation(
        "updateApiKey", "Update an API key; narrowing or disabling it ends logins made with it",
        body: object(["name": ["type": "string"], "permissions": permissionList, "expires_at": nullableTimestamp,
                      "rate_limit": ["type": ["integer", "null"]], "enabled": ["type": "boolean"]], required: []),
        response: apiKey, errors: ["400", "401", "403", "404"])
    static let deleteKey = operation("deleteApiKey", "Delete an API key", status: "204", errors: ["401", "403", "404"])
}
