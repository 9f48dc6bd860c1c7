import Testing
import PatternText
@testable import PluginKit

@Suite struct JSONBodyTests {
    struct Agent: Decodable {
        let name: String
        let tags: [String]
        let limits: Limits?
        struct Limits: Decodable { let max: Int }
    }

    private func decode(_ body: String, contentType: String? = "application/json") throws(HTTPError) -> Agent {
        try JSONBody.decode(Agent.self, contentType: contentType, body: Array(body.utf8))
    }

    @Test func decodesAndIgnoresUnknownFields() throws {
        let agent = try decode(#"{"name":"a","tags":["x"],"extra":1}"#)
        #expect(agent.name == "a" && agent.tags == ["x"])
    }

    @Test func missingFieldIsAValidationErrorNamingIt() {
        #expect(throws: HTTPError.validation("tags", "is required")) { try decode(#"{"name":"a"}"#) }
    }

    @Test func wrongTypeNamesTheNestedField() {
        #expect { try decode(#"{"name":"a","tags":[],"limits":{"max":"x"}}"#) } throws: { error in
            (error as? HTTPError)?.fields.first?.field == "limits.max"
        }
        #expect { try decode(#"{"name":"a","tags":["ok",3]}"#) } throws: { error in
            (error as? HTTPError)?.fields.first?.field == "tags[1]"
        }
    }

    @Test func malformedJSONIsAJSONError() {
        #expect { try decode(#"{"name":"#) } throws: { error in (error as? HTTPError)?.type == "json_error" }
    }

    @Test func otherMediaTypesAre415() {
        #expect { try decode(#"{"name":"a","tags":[]}"#, contentType: "text/plain") } throws: { error in
            (error as? HTTPError)?.status == 415
        }
        #expect { try decode(#"{"name":"a","tags":[]}"#, contentType: nil) } throws: { error in
            (error as? HTTPError)?.status == 415
        }
        #expect((try? decode(#"{"name":"a","tags":[]}"#, contentType: "application/json; charset=utf-8")) != nil)
    }

    @Test func deepNestingIsRefusedBeforeDecoding() {
        let deep = String(repeating: "[", count: 65) + String(repeating: "]", count: 65)
        #expect(JSONNesting.depth(of: Array(deep.utf8)) == 65)
        #expect { try decode(deep) } throws: { error in (error as? HTTPError)?.type == "json_error" }
        #expect(JSONNesting.depth(of: Array(#"{"a":"[[[[["}"#.utf8)) == 1)
    }
}
