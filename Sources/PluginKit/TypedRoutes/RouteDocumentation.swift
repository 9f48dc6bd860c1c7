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
        let schema = location == "query" ? property.schema.queryText : property.schema
        var parameter: [String: JSONValue] = [
            "name": .string(property.key), "in": .string(location), "required": .bool(property.required),
            "schema": schema.rendered(into: &components),
        ]
        if let summary = property.schema.summary { parameter["description"] = .string(summary) }
        return .object(parameter)
    }
}

extension JSONSchema {
    /// A free-text query parameter as the host hands it out: without C0 or C1 control
    /// characters (it refuses those, naming the parameter), which the pattern publishes.
    var queryText: JSONSchema {
        guard kind == .string, pattern == nil, enumeration == nil, constant == nil, format == nil else { return self }
        let control = #"\u0000-\u001F\u007F-\u009F"#
        return pattern(refusesBlank ? "^[^\(control)]*[^\\s\(control)][^\(control)]*$" : "^[^\(control)]*$") { text in
            !text.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) }
        }
    }
}
