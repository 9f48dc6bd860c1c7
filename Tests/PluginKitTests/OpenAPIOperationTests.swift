import Testing
@testable import PluginKit

@Suite struct OpenAPIOperationTests {
    @Test func operationHasBodiesResponsesAndErrors() throws {
        let text = OpenAPIOperation.make(
            summary: "Create", parameters: OpenAPIOperation.pageParameters(sortFields: ["name"]),
            requestBody: OpenAPIOperation.object(["name": OpenAPIOperation.string()], required: ["name"]),
            responses: [201: ("Made", OpenAPIOperation.page(of: OpenAPIOperation.boolean)), 204: ("None", nil)],
            errors: [400, 404])
        let operation = try #require(JSONValue(parsing: text))
        #expect(operation["summary"] == "Create")
        #expect(operation["requestBody"]?["content"]?["application/json"]?["schema"]?["required"] == ["name"])
        let required = operation["responses"]?["201"]?["content"]?["application/json"]?["schema"]?["required"]
        #expect(Set(required?.arrayValue?.compactMap(\.stringValue) ?? []) == ["items", "page", "limit", "total", "total_pages"])
        #expect(operation["responses"]?["204"]?["content"] == nil)
        #expect(operation["responses"]?["404"]?["content"]?["application/json"]?["schema"]?["$ref"]
            == "#/components/schemas/Error")
        #expect(operation["parameters"]?.arrayValue?.count == 5)
        #expect(OpenAPIOperation.pageParameters(sortFields: ["name"], activeFilter: false).count == 4)
    }

    @Test func nullableStringsAllowNull() {
        #expect(OpenAPIOperation.string(nullable: true)["type"] == ["string", "null"])
    }
}
