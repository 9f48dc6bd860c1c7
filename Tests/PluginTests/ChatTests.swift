import PluginKitTesting
import Testing

extension PluginTests {
    @Suite struct Chat {
        static let plugins = ["PatternAuth", "PatternAgents", "PatternProviders", "PatternChat"]
        static let alice = TestPrincipal.user("user_alice")

        func agent(_ app: TestHost, _ name: String) throws -> String {
            let response = try app.request(.post, "/api/v1/agents", json: ["name": name, "agent_type": "generic"], as: Self.alice)
            try #require(response.status == 201, "\(response.text)")
            return try #require(response.object["id"] as? String)
        }

        @Test func anAgentWithoutAProviderConflictsAndTheUserMessageIsKept() throws {
            let app = try TestHost(plugins: Self.plugins)
            let id = try agent(app, "mute")
            let sent = try app.request(.post, "/api/v1/chat/messages", json: ["target": id, "content": "hello"], as: Self.alice)
            #expect(sent.status == 409, "\(sent.text)")
            let history = try app.request(.get, "/api/v1/messages?target=\(id)", as: Self.alice)
            try #require(history.status == 200, "\(history.text)")
            let items = history.object["items"] as? [[String: Any]] ?? []
            #expect(items.map { $0["role"] as? String } == ["user"], "\(history.text)")
        }

        @Test func anAgentIsAlsoAddressedByItsName() throws {
            let app = try TestHost(plugins: Self.plugins)
            _ = try agent(app, "scout")
            let byName = try app.request(.post, "/api/v1/chat/messages", json: ["target": "scout", "content": "hi"], as: Self.alice)
            #expect(byName.status == 409, "\(byName.text)")
            let unknown = try app.request(.post, "/api/v1/chat/messages", json: ["target": "nobody", "content": "hi"],
                                          as: Self.alice)
            #expect(unknown.status == 404, "\(unknown.text)")
        }

        @Test func anotherUsersHistoryIsNotFound() throws {
            let app = try TestHost(plugins: Self.plugins)
            let id = try agent(app, "private")
            let response = try app.request(.get, "/api/v1/messages?target=\(id)", as: .user("user_bob"))
            #expect(response.status == 404, "\(response.text)")
        }

        @Test func sendingNeedsContent() throws {
            let app = try TestHost(plugins: Self.plugins)
            let id = try agent(app, "quiet")
            let response = try app.request(.post, "/api/v1/chat/messages", json: ["target": id], as: Self.alice)
            #expect(response.status == 400)
            #expect(response.errorFields == ["content"], "\(response.text)")
        }
    }
}
