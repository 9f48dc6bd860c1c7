import Foundation
import PluginABI

/// `GET /api/v1/openapi.json`: an OpenAPI 3.1 document assembled at start from the
/// operations every loaded plugin registered with its routes.
enum OpenAPIDocument {
    static let path = "/api/v1/openapi.json"

    static func route(serving routes: [Route], version: String) -> Route {
        let body = render(routes: routes, version: version)
        return Route(method: "GET", template: path, plugin: "host",
                     handler: .builtIn { $0.respondJSON(200, body) },
                     flags: UInt32(PATTERN_PUBLIC | PATTERN_INLINE), permission: nil, openAPI: nil)
    }

    static func render(routes: [Route], version: String) -> [UInt8] {
        var paths: [String: [String: Any]] = [:]
        for route in routes {
            var operation = route.openAPI
                .flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] } ?? [:]
            if operation["responses"] == nil {
                operation["responses"] = ["default": ["description": "See the API's error format",
                                                      "content": errorContent]]
            }
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
                                  "content": ["application/json": ["schema": ["type": "object"]]]]],
        ] as [String: Any]]
        let document: [String: Any] = [
            "openapi": "3.1.0",
            "info": ["title": "Pattern Server API", "version": version],
            "servers": [["url": "/"]],
            "paths": paths,
            "components": [
                "securitySchemes": ["bearer": ["type": "http", "scheme": "bearer",
                                               "description": "An access JWT or an API key (pk_...)"]],
                "schemas": ["Error": errorSchema, "Health": healthSchema],
            ],
        ]
        let data = (try? JSONSerialization.data(withJSONObject: document, options: [.sortedKeys])) ?? Data("{}".utf8)
        return Array(data)
    }

    /// Every `{param}` of the template must be declared; add the ones the plugin left out.
    private static func withPathParameters(_ given: [[String: Any]], names: [String]) -> [[String: Any]] {
        var parameters = given
        for name in names where !given.contains(where: { ($0["name"] as? String) == name && ($0["in"] as? String) == "path" }) {
            parameters.append(["name": name, "in": "path", "required": true, "schema": ["type": "string"]])
        }
        return parameters
    }

    private static var errorContent: [String: Any] { [
        "application/json": ["schema": ["$ref": "#/components/schemas/Error"]],
    ] }

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
