import PatternText

/// What a route publishes in the OpenAPI document, derived from its declaration. The host
/// completes it: operationId, tags, `security`, path parameters, and the error responses
/// every route shares (401, 403, 404, 400/413/415 for a body, 429).
public struct RouteDocumentation: Sendable {
    public var summary: String
    public var description: String?
    public var requestBody: JSONSchema?
    public var query: [JSONSchema.Property] = []
    public var headers: [JSONSchema.Property] = []
    public var responses: [Int: Reply]
    /// Error statuses only this route answers (409, 503 …), with what they mean here.
    public var errors: [Int: String]

    /// The key under which the operation hands its named schemas to the host.
    public static let componentsKey = "x-pattern-components"

    public init(summary: String, description: String? = nil, requestBody: JSONSchema? = nil,
                query: [JSONSchema.Property] = [], headers: [JSONSchema.Property] = [],
                responses: [Int: Reply], errors: [Int: String] = [:]) {
        self.summary = summary
        self.description = description
        self.requestBody = requestBody
        self.query = query
        self.headers = headers
        self.responses = responses
        self.errors = errors
    }

    /// The OpenAPI 3.1 Operation Object as JSON text.
    public var jsonText: String {
        var components: [String: JSONValue] = [:]
        var operation: [String: JSONValue] = ["summary": .string(summary)]
        if let description { operation["description"] = .string(description) }
        let parameters = query.map { Self.parameter($0, in: "query", &components) }
            + headers.map { Self.parameter($0, in: "header", &components) }
        if !parameters.isEmpty { operation["parameters"] = .array(parameters) }
        if let requestBody {
            operation["requestBody"] = [
                "required": true,
                "content": ["application/json": ["schema": requestBody.rendered(into: &components)]],
            ]
        }
        var answers: [String: JSONValue] = [:]
        for (status, reply) in responses {
            var answer: [String: JSONValue] = ["description": .string(reply.description)]
            if !reply.contents.isEmpty {
                var content: [String: JSONValue] = [:]
                for (mediaType, schema) in reply.contents {
                    content[mediaType] = schema.map { ["schema": $0.rendered(into: &components)] } ?? [:]
                }
                answer["content"] = .object(content)
            }
            answers[String(status)] = .object(answer)
        }
        for (status, meaning) in errors {
            answers[String(status)] = [
                "description": .string(meaning),
                "content": ["application/json": ["schema": ["$ref": "#/components/schemas/Error"]]],
            ]
        }
        operation["responses"] = .object(answers)
        if !components.isEmpty { operation[Self.componentsKey] = .object(components) }
        return JSONValue.object(operation).jsonText
    }

    private static func parameter(_ property: JSONSchema.Property, in location: String,
                                  _ components: inout [String: JSONValue]) -> JSONValue {
        let schema = location == "query" ? property.schema.asQueryParameter : property.schema
        var parameter: [String: JSONValue] = [
            "name": .string(property.key), "in": .string(location), "required": .bool(property.required),
            "schema": schema.rendered(into: &components),
        ]
        if let summary = property.schema.summary { parameter["description"] = .string(summary) }
        return .object(parameter)
    }
}
