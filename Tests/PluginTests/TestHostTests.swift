import PluginKitTesting
import Testing

extension PluginTests {
    /// The test host itself: what a plugin author relies on between tests.
    @Suite struct Host {
        @Test func aPluginWhoseRequirementIsNotLoadedIsRefusedByName() {
            #expect {
                _ = try TestHost(plugins: ["PatternAgents"])
            } throws: { error in
                "\(error)".contains("agents requires auth")
            }
        }

        @Test func eachTestHostStartsWithAnEmptyDatabase() throws {
            let alice = TestPrincipal.user("user_alice")
            do {
                let first = try TestHost(plugins: ["PatternAuth", "PatternAgents"])
                let created = try first.request(.post, "/api/v1/agents", json: ["name": "kept?", "agent_type": "generic"],
                                                as: alice)
                #expect(created.status == 201)
            }
            let second = try TestHost(plugins: ["PatternAuth", "PatternAgents"])
            #expect(try second.request(.get, "/api/v1/agents", as: alice).object["total"] as? Int == 0)
        }

        @Test func theRegisteredRoutesAndTheirOperationsAreListed() throws {
            let app = try TestHost(plugins: ["HelloSwift"])
            #expect(app.routes.contains("POST /api/v1/hello-swift/echo"))
            #expect(app.openAPI(.post, "/api/v1/hello-swift/echo")?.contains("Echoes text") == true)
            #expect(app.health["hello-swift"] == 0)
        }
    }
}
