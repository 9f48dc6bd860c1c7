/// The error answers the OpenAPI document lists for a route, derived from what the route
/// is: 401 unless public, 403 when it needs a permission or an administrator, 404 when
/// it has path parameters, 400/413/415 when it takes a body, 400 when it reads query
/// parameters, and 429 everywhere (rate limiting may answer any route). Every error
/// response carries the `Error` schema.
enum ErrorResponses {
    static let descriptions: [Int: String] = [
        400: "validation_error or json_error", 401: "unauthorized", 403: "forbidden (a missing permission)",
        404: "not_found (also another user's resource)", 409: "conflict", 413: "payload_too_large",
        415: "unsupported_media_type", 429: "rate_limited", 503: "service_unavailable",
    ]

    static func response(_ status: Int) -> [String: Any] {
        ["description": descriptions[status] ?? "Error", "content": errorContent]
    }

    /// The operation's responses with the route's derived errors added where missing.
    static func completing(_ operation: [String: Any], of route: Route) -> [String: Any] {
        var responses = operation["responses"] as? [String: Any] ?? [:]
        if responses.isEmpty {
            responses["default"] = ["description": "See the API's error format", "content": errorContent]
        }
        for status in derived(operation, of: route) where responses[String(status)] == nil {
            responses[String(status)] = response(status)
        }
        for (code, answer) in responses where code.hasPrefix("4") || code.hasPrefix("5") {
            if var answer = answer as? [String: Any], answer["content"] == nil {
                answer["content"] = errorContent
                responses[code] = answer
            }
        }
        return responses
    }

    private static func derived(_ operation: [String: Any], of route: Route) -> [Int] {
        var statuses = [429]
        if !route.isPublic { statuses.append(401) }
        if route.requiresAdmin || route.permission != nil { statuses.append(403) }
        if !route.parameterNames.isEmpty { statuses.append(404) }
        if operation["requestBody"] != nil { statuses += [400, 413, 415] }
        let parameters = operation["parameters"] as? [[String: Any]] ?? []
        if parameters.contains(where: { ($0["in"] as? String) == "query" }) { statuses.append(400) }
        return statuses
    }

    private static var errorContent: [String: Any] { [
        "application/json": ["schema": ["$ref": "#/components/schemas/Error"]],
    ] }
}
