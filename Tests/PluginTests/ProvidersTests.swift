import PluginKitTesting
import Testing

extension PluginTests {
    @Suite struct Providers {
        static let plugins = ["PatternAuth", "PatternProviders"]
        static let alice = TestPrincipal.user("user_alice")
        static let secret = "sk-test-never-shown-0123456789"

        func create(_ app: TestHost, as owner: TestPrincipal = alice) throws -> TestResponse {
            try app.request(.post, "/api/v1/providers", json: [
                "provider": "openai", "name": "main",
                "config": ["type": "api_key", "api_key": Self.secret, "base_url": "https://models.example/v1"],
            ], as: owner)
        }

        @Test func aProviderWhoseModelsCannotBeListedIsStoredWithStatusError() throws {
            let app = try TestHost(plugins: Self.plugins)
            let created = try create(app)
            try #require(created.status == 201, "\(created.text)")
            #expect(created.object["status"] as? String == "error")
            #expect(created.object["is_default"] as? Bool == true)
            let id = try #require(created.object["id"] as? String)
            #expect(try app.request(.get, "/api/v1/providers/\(id)", as: Self.alice).status == 200)
            #expect(try app.request(.get, "/api/v1/providers/\(id)", as: .user("user_bob")).status == 404)
        }

        @Test func theAPIKeyIsNeverAnswered() throws {
            let app = try TestHost(plugins: Self.plugins)
            let created = try create(app)
            let listed = try app.request(.get, "/api/v1/providers", as: Self.alice)
            #expect(!created.text.contains(Self.secret))
            #expect(!listed.text.contains(Self.secret))
            #expect(listed.object["total"] as? Int == 1)
        }

        @Test func aMissingConfigIsAValidationError() throws {
            let app = try TestHost(plugins: Self.plugins)
            let response = try app.request(.post, "/api/v1/providers", json: ["provider": "openai"], as: Self.alice)
            #expect(response.status == 400)
            #expect(response.errorFields == ["config"], "\(response.text)")
        }

        @Test func managingProvidersNeedsItsPermission() throws {
            let app = try TestHost(plugins: Self.plugins)
            let response = try create(app, as: .apiKey(of: "user_alice", permissions: ["read_agents"]))
            #expect(response.status == 403)
        }
    }
}
