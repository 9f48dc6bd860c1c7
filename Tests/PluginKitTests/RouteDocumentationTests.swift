import Testing
@testable import PluginKit

private struct Toy: JSONObject {
    var label = ""
    var note: String?
    static let schemaName: String? = "Toy"
    static let fields: [JSONField<Self>] = [
        JSONField("label", \.label, required: true) { $0.length(1...16).printable() },
        JSONField("note", \.note) { $0.maxLength(100).orNull() },
    ]
}

private struct ToyQuery: JSONObject {
    var page = PageRequest(sortBy: "name")
    static let fields: [JSONField<Self>] = PageRequest.fields(\.page, sortFields: ["name"])
}

@Suite struct RouteDocumentationTests {
    @Test func aDeclaredTypeRendersItsConstraintsAsJSONSchema() {
        var components: [String: JSONValue] = [:]
        #expect(Toy.schema.rendered(into: &components) == ["$ref": "#/components/schemas/Toy"])
        #expect(components["Toy"] == [
            "type": "object", "additionalProperties": true, "required": ["label"],
            "properties": [
                "label": ["type": "string", "minLength": 1, "maxLength": 16,
                          "pattern": #"^[^\u0000-\u001F\u007F]*$"#],
                "note": ["type": ["string", "null"], "maxLength": 100],
            ],
        ])
    }

    @Test func anOperationCarriesBodyResponsesErrorsAndItsComponents() throws {
        let text = RouteDocumentation(
            summary: "Make a toy", requestBody: Toy.schema,
            responses: [201: .json(Toy.self, "Made"), 204: .empty("Nothing"), 202: .eventStream("Events")],
            errors: [409: "Taken"]).jsonText
        let operation = try #require(JSONValue(parsing: text))
        #expect(operation["requestBody"]?["content"]?["application/json"]?["schema"]
            == ["$ref": "#/components/schemas/Toy"])
        #expect(operation["responses"]?["201"]?["content"]?["application/json"]?["schema"]
            == ["$ref": "#/components/schemas/Toy"])
        #expect(operation["responses"]?["204"]?["content"] == nil)
        #expect(operation["responses"]?["202"]?["content"]?["text/event-stream"]?["schema"]
            == ["$ref": "#/components/schemas/ServerSentEvent"])  // each event is an object, not a string
        #expect(operation["responses"]?["409"]?["content"]?["application/json"]?["schema"]?["$ref"]
            == "#/components/schemas/Error")
        #expect(operation[RouteDocumentation.componentsKey]?["Toy"]?["type"] == "object")
    }

    @Test func freeTextQueryParametersPublishTheControlCharactersTheHostRefuses() {
        let text = RouteDocumentation(summary: "Search", query: [
            .property("q", JSONSchema.string.maxLength(50), required: false),
            .property("id", JSONSchema.string.pattern("^t_[a-z]+$") { _ in true }, required: false),
            .property("order", JSONSchema.string.oneOf(["asc", "desc"]), required: false),
        ], headers: [.property("X-Note", .string, required: false)], responses: [200: .empty("Found")]).jsonText
        guard case .array(let parameters)? = JSONValue(parsing: text)?["parameters"], parameters.count == 4 else {
            Issue.record("four parameters expected in \(text)")
            return
        }
        #expect(parameters[0]["schema"] == ["type": "string", "maxLength": 50,
                                             "pattern": #"^[^\u0000-\u001F\u007F-\u009F]*$"#])
        #expect(parameters[1]["schema"] == ["type": "string", "pattern": "^t_[a-z]+$"])
        #expect(parameters[2]["schema"] == ["type": "string", "enum": ["asc", "desc"]])
        #expect(parameters[3]["schema"] == ["type": "string"])  // a header is not query text
    }

    @Test func pageParametersAreDocumentedAndRead() throws {
        let names = ToyQuery.fields.map(\.property.key)
        #expect(names == ["page", "limit", "sort_by", "sort_desc", "is_active"])
        let query = try ToyQuery(query: { ["limit": "5", "sort_desc": "true", "is_active": "0"][$0] })
        #expect(query.page == PageRequest(limit: 5, sortBy: "name", sortDescending: true, isActive: false))
        #expect(throws: HTTPError.validation("limit", "must be an integer from 1 to 100")) {
            try ToyQuery(query: { ["limit": "500"][$0] })
        }
        #expect(throws: HTTPError.validation("sort_by", "must be one of name")) {
            try ToyQuery(query: { ["sort_by": "age"][$0] })
        }
    }

    /// The host refuses a query value with a C0 or C1 control character, so free text says so;
    /// a parameter with its own rule (an enum, a pattern) keeps it.
    @Test func aFreeTextQueryParameterPublishesTheControlCharactersTheHostRefuses() throws {
        let text = RouteDocumentation(summary: "Find", query: [
            .property("q", .string, required: false), .property("kind", JSONSchema.string.oneOf(["a"]), required: false),
        ], responses: [200: .empty("Found")]).jsonText
        let parameters = try #require(JSONValue(parsing: text)?["parameters"]?.arrayValue)
        #expect(parameters[0]["schema"] == ["type": "string", "pattern": #"^[^\u0000-\u001F\u007F-\u009F]*$"#])
        #expect(parameters[1]["schema"] == ["type": "string", "enum": ["a"]])
    }
}
