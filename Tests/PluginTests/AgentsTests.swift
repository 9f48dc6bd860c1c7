import PluginKitTesting
import Testing

extension PluginTests {
    @Suite struct Agents {
        static let plugins = ["PatternAuth", "PatternAgents"]
        static let alice = TestPrincipal.user("user_alice")
        static let bob = TestPrincipal.user("user_bob")

        func create(_ app: TestHost, _ name: String, as owner: TestPrincipal = alice) throws -> String {
            let response = try app.request(.post, "/api/v1/agents", json: ["name": name, "agent_type": "generic"], as: owner)
            try #require(response.status == 201, "\(response.text)")
            return try #require(response.object["id"] as? String)
        }

        @Test func aCreatedAgentIsReadBackAndListed() throws {
            let app = try TestHost(plugins: Self.plugins)
            let id = try create(app, "scout")
            #expect(id.hasPrefix("agent_"))
            let read = try app.request(.get, "/api/v1/agents/\(id)", as: Self.alice)
            #expect(read.object["name"] as? String == "scout")
            #expect(read.object["owner_id"] as? String == "user_alice")
            #expect(read.object["state"] as? String == "ready")
            let list = try app.request(.get, "/api/v1/agents?limit=10", as: Self.alice)
            #expect(list.object["total"] as? Int == 1)
        }

        @Test func anotherUsersAgentIsNotFound() throws {
            let app = try TestHost(plugins: Self.plugins)
            let id = try create(app, "private")
            #expect(try app.request(.get, "/api/v1/agents/\(id)", as: Self.bob).status == 404)
            #expect(try app.request(.delete, "/api/v1/agents/\(id)", as: Self.bob).status == 404)
            #expect(try app.request(.get, "/api/v1/agents/\(id)", as: Self.alice).status == 200)
        }

        @Test func aMissingNameIsAValidationErrorNamingTheField() throws {
            let app = try TestHost(plugins: Self.plugins)
            let response = try app.request(.post, "/api/v1/agents", json: ["agent_type": "generic"], as: Self.alice)
            #expect(response.status == 400)
            #expect(response.errorType == "validation_error")
            #expect(response.errorFields == ["name"], "\(response.text)")
        }

        @Test func aDuplicateNameConflicts() throws {
            let app = try TestHost(plugins: Self.plugins)
            _ = try create(app, "twin")
            let again = try app.request(.post, "/api/v1/agents", json: ["name": "twin", "agent_type": "generic"], as: Self.alice)
            #expect(again.status == 409)
            _ = try create(app, "twin", as: Self.bob)
        }

        @Test func aKeyWithoutWriteAgentsIsForbidden() throws {
            let app = try TestHost(plugins: Self.plugins)
            let reader = TestPrincipal.apiKey(of: "user_alice", permissions: ["read_agents"])
            let response = try app.request(.post, "/api/v1/agents", json: ["name": "x", "agent_type": "generic"], as: reader)
            #expect(response.status == 403)
            #expect(try app.request(.get, "/api/v1/agents", as: reader).status == 200)
            #expect(try app.request(.get, "/api/v1/agents").status == 401)
        }

        @Test func appendingToCoreMemoryBumpsItsVersionAndPublishesAnEvent() throws {
            let app = try TestHost(plugins: Self.plugins)
            let id = try create(app, "memo")
            let operation: [String: Any] = ["type": "append", "content": "likes tea"]
            let first = try app.request(.post, "/api/v1/agents/\(id)/memory",
                                        json: ["memory_key": "persona", "operation": operation], as: Self.alice)
            try #require(first.status == 200, "\(first.text)")
            let second = try app.request(.post, "/api/v1/agents/\(id)/memory",
                                         json: ["memory_key": "persona", "operation": operation], as: Self.alice)
            let version = { (response: TestResponse) in response.object["version"] as? Int }
            #expect(version(second) == version(first).map { $0 + 1 }, "\(first.text) \(second.text)")
            #expect(app.events(topic: "agent:\(id)").contains { $0.json.contains("memory_updated") })
        }
    }
}
