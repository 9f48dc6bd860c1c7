import PluginABI
import Testing
@testable import PluginKit

/// A service's arguments read like query parameters, and a route's refusal carried across a
/// service as JSON and back, unchanged.
@Suite struct ServiceArgumentsTests {
    @Test func readsScalarsAsQueryText() throws {
        let arguments = try ServiceArguments(parsing: Array(#"{"page": 2, "sort_desc": true, "q": "tea", "n": null}"#.utf8))
        #expect(try arguments.query("page") == "2")
        #expect(try arguments.query("sort_desc") == "true")
        #expect(try arguments.query("q") == "tea")
        #expect(try arguments.query("n") == nil && arguments.query("absent") == nil)
        let page = try PageRequest(query: arguments.query, sortFields: ["created_at"], defaultSort: "created_at")
        #expect(page.page == 2 && page.sortDescending)
    }

    @Test func refusesStructuresAndNonObjectsNamingTheField() {
        #expect { try ServiceArguments(parsing: Array(#"{"limit": [1]}"#.utf8)).query("limit") } throws: { error in
            (error as? HTTPError)?.fields.first?.field == "limit"
        }
        #expect { try ServiceArguments(parsing: Array("[1]".utf8)) } throws: { error in
            (error as? HTTPError)?.fields.first?.field == "arguments"
        }
        #expect { try ServiceArguments(parsing: Array("{".utf8)) } throws: { error in
            (error as? HTTPError)?.status == 400
        }
    }

    @Test func anErrorRoundTripsThroughItsServiceJSON() {
        let error = HTTPError.validation("name", "is required")
        #expect(HTTPError(serviceJSON: error.serviceJSON) == error)
        #expect(error.serviceStatus == PATTERN_INVALID)
        #expect(HTTPError.notFound().serviceStatus == PATTERN_NOT_FOUND)
        #expect(HTTPError.conflict("taken").serviceStatus == PATTERN_CONFLICT)
        #expect(HTTPError(serviceJSON: ["type": "x"]) == nil)
    }

    @Test func aProviderAnswersTheRoutesJSONOrItsRefusalWithTheMatchingStatus() {
        let answered = ServiceJSON.collect { receive, userdata in
            ServiceJSON.answer(receive, userdata) { () throws(HTTPError) in ["id": "agent_1"] }
        }
        #expect(answered.status == PATTERN_OK && answered.json == #"{"id":"agent_1"}"#)
        let refused = ServiceJSON.collect { receive, userdata in
            ServiceJSON.answer(receive, userdata) { () throws(HTTPError) in throw .validation("limit", "must be small") }
        }
        #expect(refused.status == PATTERN_INVALID)
        #expect(refused.json.flatMap { JSONValue(parsing: $0) }.flatMap(HTTPError.init(serviceJSON:))
                == .validation("limit", "must be small"))
    }
}
