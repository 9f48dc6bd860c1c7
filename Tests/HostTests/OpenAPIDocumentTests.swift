import Foundation
import PluginABI
import Testing
@testable import Host

@Suite struct OpenAPIDocumentTests {
    private func route(_ method: String, _ template: String, flags: UInt32 = 0, permission: String? = nil,
                       _ operation: String?) -> Route {
        Route(method: method, template: template, plugin: "test", handler: .builtIn { _ in }, flags: flags,
              permission: permission, openAPI: operation)
    }

    private func render(_ routes: [Route]) throws -> (document: [String: Any], conflicts: [String]) {
        var conflicts: [String] = []
        let bytes = OpenAPIDocument.render(routes: routes, version: "1") { conflicts.append($0) }
        return (try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any]), conflicts)
    }

    private func schemas(_ document: [String: Any]) -> [String: Any] {
        (document["components"] as? [String: Any])?["schemas"] as? [String: Any] ?? [:]
    }

    private func responses(_ document: [String: Any], _ path: String, _ method: String) -> [String: Any] {
        let paths = document["paths"] as? [String: Any]
        let operation = (paths?[path] as? [String: Any])?[method] as? [String: Any]
        return operation?["responses"] as? [String: Any] ?? [:]
    }

    @Test func namedSchemasAreHoistedIntoComponentsOnceAndRemovedFromTheOperation() throws {
        let toy = #"{"summary":"s","responses":{"200":{"description":"d"}},"x-pattern-components":{"Toy":{"type":"object"}}}"#
        let (document, conflicts) = try render([route("GET", "/a", toy), route("GET", "/b", toy)])
        #expect(schemas(document)["Toy"] as? [String: String] == ["type": "object"])
        #expect(schemas(document)["Error"] != nil)
        #expect(conflicts.isEmpty)
        let paths = document["paths"] as? [String: Any]
        let operation = (paths?["/a"] as? [String: Any])?["get"] as? [String: Any]
        #expect(operation?[OpenAPIDocument.componentsKey] == nil)
    }

    @Test func aConflictingDuplicateIsReportedOnceAndTheFirstWins() throws {
        func named(_ type: String) -> String {
            #"{"summary":"s","x-pattern-components":{"Toy":{"type":"\#(type)"}}}"#
        }
        let (document, conflicts) = try render([
            route("GET", "/a", named("object")), route("GET", "/b", named("string")), route("GET", "/c", named("array")),
        ])
        #expect(schemas(document)["Toy"] as? [String: String] == ["type": "object"])
        #expect(conflicts == ["Toy"])
    }

    @Test func errorResponsesAreDerivedFromWhatTheRouteIs() throws {
        let body = #"{"summary":"s","requestBody":{"content":{}},"responses":{"201":{"description":"d"},"409":{"description":"taken"}}}"#
        let (document, _) = try render([
            route("POST", "/things/{id}", permission: "write", body),
            route("GET", "/open", flags: UInt32(PATTERN_PUBLIC), #"{"summary":"s","responses":{"200":{"description":"d"}}}"#),
        ])
        let guarded = responses(document, "/things/{id}", "post")
        let statuses = Set(guarded.keys)
        #expect(statuses == ["201", "400", "401", "403", "404", "409", "413", "415", "429"])
        let conflict = guarded["409"] as? [String: Any]
        #expect(conflict?["description"] as? String == "taken")
        #expect((conflict?["content"] as? [String: Any])?["application/json"] != nil)
        let open = Set(responses(document, "/open", "get").keys)
        #expect(open == ["200", "429"])
    }
}
