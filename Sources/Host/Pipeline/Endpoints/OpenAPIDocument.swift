import Foundation
import PluginABI

/// `GET /api/v1/openapi.json`: an OpenAPI 3.1 document assembled at start from the
/// operations every loaded plugin registered with its routes. The host completes each
/// operation (operationId, tags, `security`, path parameters, the error responses the route
/// can answer) and hoists the named schemas an operation hands over under
/// `x-pattern-components` into `components.schemas`.
enum OpenAPIDocument {
    static let path = "/api/v1/openapi.json"
    static let componentsKey = "x-pattern-components"

    static func route(serving routes: [Route], version: String, logger: Logger) -> Route {
        let body = render(routes: routes, version: version) { conflict in
            logger.log(.warn, "OpenAPI schema defined twice differently; the first is kept", ["schema": conflict])
        }
        return Route(method: "GET", template: path, plugin: "host",
                     handler: .builtIn { $0.respondJSON(200, body) },
                     flags: UInt32(PATTERN_PUBLIC | PATTERN_INLINE), permission: nil, openAPI: nil)
    }

    /// The document; `conflict` is told the name of each schema a later route defined
    /// differently from the first (the first wins).
    static func render(routes: [Route], version: String, conflict: (String) -> Void) -> [UInt8] {
        var paths: [String: [String: Any]] = [:]
        var schemas: [String: Any] = ["Error": errorSchema, "Health": healthSchema]
        var conflicting = Set<String>()
        for route in routes {
            var operation = route.openAPI
                .flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] } ?? [:]
            if let components = operation.removeValue(forKey: componentsKey) as? [String: Any] {
                hoist(components, into: &schemas) { name in
                    if conflicting.insert(name).inserted { conflict(name) }
                }
            }
            operation["responses"] = ErrorResponses.completing(operation, of: route)
            if operation["security"] == nil && !route.isPublic {
                operation["security"] = [["bearer": [String]()]]
            }
            if operation["tags"] == nil { operation["tags"] = [route.plugin] }
            operation["operationId"] = operation["operationId"]
                ?? "\(route.method.lowercased())\(route.template.replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "{", with: "").replacingOccurrences(of: "}", with: ""))"
            operation["parameters"] = withPathParameters(operation["parameters"] as? [[String: Any]] ?? [],
                                                         names: route.parameterNames)
            paths[route.template, default: [:]][route.method.lowercased()] = operation
        }
        paths[path] = ["get": [
            "summary": "This document", "tags": ["host"], "operationId": "getOpenAPI", "security": [[String: Any]](),
            "responses": ["200": ["description": "OpenAPI 3.1 document",
                                  "content": ["application/json": ["schema": ["type": "object"]]]],
                          "429": ErrorResponses.response(429)],
        ] as [String: Any]]
        let document: [String: Any] = [
            "openapi": "3.1.0",
            "info": ["title": "Pattern Server API", "version": version],
            "servers": [["url": "/"]],
            "paths": paths,
            "components": [
                "securitySchemes": ["bearer": ["type": "http", "scheme": "bearer",
                                               "description": "An access JWT or an API key (pk_...)"]],
                "schemas": schemas,
            ],
        ]
        let data = (try? JSONSerialization.data(withJSONObject: document, options: [.sortedKeys])) ?? Data("{}".utf8)
        return Array(data)
    }

    /// Adds each named schema once: an identical second definition is the same schema, a
    /// different one is reported and dropped.
    private static func hoist(_ components: [String: Any], into schemas: inout [String: Any],
                              conflict: (String) -> Void) {
        for (name, schema) in components.sorted(by: { $0.key < $1.key }) {
            guard let existing = schemas[name] else {
                schemas[name] = schema
                continue
            }
            if canonical(existing) != canonical(schema) { conflict(name) }
        }
    }

    private static func canonical(_ value: Any) -> Data? {
        try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .fragmentsAllowed])
    }

    /// Every `{param}` of the template must be declared; add the ones the plugin left out.
    private static func withPathParameters(_ given: [[String: Any]], names: [String]) -> [[String: Any]] {
        var parameters = given
        for name in names where !given.contains(where: { ($0["name"] as? String) == name && ($0["in"] as? String) == "path" }) {
            parameters.append(["name": name, "in": "path", "required": true, "schema": ["type": "string"]])
        }
        return parameters
    }

    private static var errorSchema: [String: Any] { [
        "type": "object", "required": ["error", "timestamp"],
        "properties": [
            "error": [
                "type": "object", "required": ["type", "message"],
                "properties": [
                    "type": ["type": "string"], "message": ["type": "string"],
                    "fields": ["type": "array", "items": [
                        "type": "object", "properties": ["field": ["type": "string"], "message": ["type": "string"]],
                    ]],
                ],
            ],
            "timestamp": ["type": "string", "format": "date-time"],
        ],
    ] }

    private static var healthSchema: [String: Any] { [
        "type": "object", "required": ["status", "version", "uptime_seconds", "database_status", "services"],
        "properties": [
            "status": ["type": "string", "enum": ["healthy", "degraded", "unhealthy"]],
            "version": ["type": "string"],
            "uptime_seconds": ["type": "integer", "minimum": 0],
            "database_status": ["type": "string", "enum": ["ok", "warning", "error"]],
            "services": ["type": "array", "items": [
                "type": "object", "required": ["name", "status"],
                "properties": [
                    "name": ["type": "string"], "status": ["type": "string", "enum": ["ok", "warning", "error"]],
                    "message": ["type": ["string", "null"]],
                ],
            ]],
        ],
    ] }
}
