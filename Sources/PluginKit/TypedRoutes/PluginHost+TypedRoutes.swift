/// Routes declared once: the typed body or query a handler receives is also what the
/// route's OpenAPI operation publishes, with the same constraints.
///
///     struct Greeting: JSONObject {
///         var name = ""
///         static let fields: [JSONField<Self>] = [JSONField("name", \.name, required: true) { $0.length(1...64) }]
///     }
///     try host.route(.post, "/api/v1/greetings", summary: "Greet someone", body: Greeting.self,
///                    responds: [200: .json(Greeting.self, "The greeting")]) { _, greeting in
///         .jsonValue(["message": .string("hello, \(greeting.name)")])
///     }
extension PluginHost {
    /// A route taking a JSON body (an object type, or a union of shapes), handed to `handler`
    /// checked and decoded (400 naming the field, 415, `json_error` otherwise).
    public func route<Body: SchemaValue>(
        _ method: Method, _ path: String, options: RouteOptions = [], permission: String? = nil,
        summary: String, description: String? = nil, body: Body.Type, headers: [JSONSchema.Property] = [],
        responds: [Int: Reply], errors: [Int: String] = [:],
        _ handler: @escaping @Sendable (Request, Body) throws -> Response
    ) throws {
        try route(method, path, options: options, permission: permission, summary: summary, description: description,
                  schema: Body.schema, headers: headers, responds: responds, errors: errors) { request in
            try handler(request, Body(json: request.jsonBody(), at: ""))
        }
    }

    private func route(
        _ method: Method, _ path: String, options: RouteOptions, permission: String?, summary: String,
        description: String?, schema: JSONSchema, headers: [JSONSchema.Property], responds: [Int: Reply],
        errors: [Int: String], _ handler: @escaping @Sendable (Request) throws -> Response
    ) throws {
        let documentation = RouteDocumentation(
            summary: summary, description: description, requestBody: schema, headers: headers,
            responses: responds, errors: errors)
        try route(method, path, options: options, permission: permission, openAPI: documentation.jsonText, handler)
    }

    /// A route taking query parameters, handed to `handler` checked and decoded (400 naming
    /// the parameter otherwise).
    public func route<Query: JSONObject>(
        _ method: Method, _ path: String, options: RouteOptions = [], permission: String? = nil,
        summary: String, description: String? = nil, query: Query.Type, responds: [Int: Reply],
        errors: [Int: String] = [:], _ handler: @escaping @Sendable (Request, Query) throws -> Response
    ) throws {
        let documentation = RouteDocumentation(
            summary: summary, description: description, query: Query.fields.map(\.property),
            responses: responds, errors: errors)
        try route(method, path, options: options, permission: permission, openAPI: documentation.jsonText) { request in
            try handler(request, Query(query: request.query))
        }
    }

    /// A route whose input is its path alone (or that reads its body itself, as an upload does).
    public func route(
        _ method: Method, _ path: String, options: RouteOptions = [], permission: String? = nil,
        summary: String, description: String? = nil, headers: [JSONSchema.Property] = [],
        responds: [Int: Reply], errors: [Int: String] = [:],
        _ handler: @escaping @Sendable (Request) throws -> Response
    ) throws {
        let documentation = RouteDocumentation(
            summary: summary, description: description, headers: headers, responses: responds, errors: errors)
        try route(method, path, options: options, permission: permission, openAPI: documentation.jsonText, handler)
    }
}
