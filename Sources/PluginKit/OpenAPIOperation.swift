import PatternText

/// Building OpenAPI 3.1 Operation Objects (the `openAPI:` text of a route) from JSON Schema
/// values, with the pieces every API.md route shares: the JSON error responses, the list
/// envelope and its query parameters. Schemas are inlined (the host's document has no room
/// for plugins' components).
public enum OpenAPIOperation {
    /// An operation as JSON text. `responses` maps a status to (description, schema or nil for
    /// no body); `errors` lists the error statuses the route can answer.
    public static func make(
        summary: String, description: String? = nil, parameters: [JSONValue] = [], requestBody: JSONValue? = nil,
        responses: [Int: (String, JSONValue?)], errors: [Int] = []
    ) -> String {
        var operation: [String: JSONValue] = ["summary": .string(summary)]
        if let description { operation["description"] = .string(description) }
        if !parameters.isEmpty { operation["parameters"] = .array(parameters) }
        if let requestBody {
            operation["requestBody"] = [
                "required": true, "content": ["application/json": ["schema": requestBody]],
            ]
        }
        var answers: [String: JSONValue] = [:]
        for (status, (text, schema)) in responses {
            var response: [String: JSONValue] = ["description": .string(text)]
            if let schema { response["content"] = ["application/json": ["schema": schema]] }
            answers[String(status)] = .object(response)
        }
        for status in errors {
            answers[String(status)] = [
                "description": .string(errorDescriptions[status] ?? "Error"),
                "content": ["application/json": ["schema": ["$ref": "#/components/schemas/Error"]]],
            ]
        }
        operation["responses"] = .object(answers)
        return JSONValue.object(operation).jsonText
    }

    static let errorDescriptions: [Int: String] = [
        400: "validation_error or json_error", 401: "unauthorized", 403: "forbidden (a missing permission)",
        404: "not_found (also another user's resource)", 409: "conflict", 413: "payload_too_large",
        415: "unsupported_media_type", 503: "service_unavailable",
    ]

    // MARK: Schemas

    public static func object(_ properties: [String: JSONValue], required: [String] = [],
                              description: String? = nil) -> JSONValue {
        var schema: [String: JSONValue] = ["type": "object", "properties": .object(properties)]
        if !required.isEmpty { schema["required"] = .array(required.map { .string($0) }) }
        if let description { schema["description"] = .string(description) }
        return .object(schema)
    }

    public static func string(_ description: String? = nil, format: String? = nil, nullable: Bool = false,
                              enumeration: [String]? = nil) -> JSONValue {
        var schema: [String: JSONValue] = ["type": nullable ? ["string", "null"] : "string"]
        if let description { schema["description"] = .string(description) }
        if let format { schema["format"] = .string(format) }
        if let enumeration { schema["enum"] = .array(enumeration.map { .string($0) }) }
        return .object(schema)
    }

    public static func integer(_ description: String? = nil, minimum: Int64? = nil) -> JSONValue {
        var schema: [String: JSONValue] = ["type": "integer"]
        if let description { schema["description"] = .string(description) }
        if let minimum { schema["minimum"] = .integer(minimum) }
        return .object(schema)
    }

    public static let boolean: JSONValue = ["type": "boolean"]
    public static let anyObject: JSONValue = ["type": "object", "additionalProperties": true]
    public static let timestamp: JSONValue = ["type": "string", "format": "date-time"]
    public static let nullableTimestamp: JSONValue = ["type": ["string", "null"], "format": "date-time"]

    public static func array(_ items: JSONValue, maxItems: Int? = nil) -> JSONValue {
        var schema: [String: JSONValue] = ["type": "array", "items": items]
        if let maxItems { schema["maxItems"] = .integer(Int64(maxItems)) }
        return .object(schema)
    }

    /// API.md's list envelope around `item`.
    public static func page(of item: JSONValue) -> JSONValue {
        object([
            "items": array(item), "page": integer(minimum: 1), "limit": integer(minimum: 1),
            "total": integer(minimum: 0), "total_pages": integer(minimum: 0),
        ], required: ["items", "page", "limit", "total", "total_pages"])
    }

    // MARK: Parameters

    public static func query(_ name: String, _ schema: JSONValue, _ description: String) -> JSONValue {
        ["name": .string(name), "in": "query", "required": false, "schema": schema,
         "description": .string(description)]
    }

    public static func header(_ name: String, _ schema: JSONValue, _ description: String) -> JSONValue {
        ["name": .string(name), "in": "header", "required": false, "schema": schema,
         "description": .string(description)]
    }

    /// `page`, `limit`, `sort_by` (one of `sortFields`), `sort_desc` and, when `activeFilter`, `is_active`.
    public static func pageParameters(sortFields: [String], activeFilter: Bool = true) -> [JSONValue] {
        var parameters: [JSONValue] = [
            query("page", ["type": "integer", "minimum": 1, "default": 1], "1-based page number"),
            query("limit", ["type": "integer", "minimum": 1, "maximum": 100, "default": 20], "Items per page"),
            query("sort_by", ["type": "string", "enum": .array(sortFields.map { .string($0) })], "Sort field"),
            query("sort_desc", ["type": "boolean", "default": false], "Sort descending"),
        ]
        if activeFilter { parameters.append(query("is_active", boolean, "Only active (true) or inactive (false) items")) }
        return parameters
    }
}
