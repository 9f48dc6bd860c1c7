import PluginKitTesting
import Testing

extension PluginTests {
    @Suite struct Groups {
        static let plugins = ["PatternAuth", "PatternAgents", "PatternGroups"]
        static let alice = TestPrincipal.user("user_alice")

        func agent(_ app: TestHost, _ name: String, as owner: TestPrincipal = alice) throws -> String {
            let response = try app.request(.post, "/api/v1/agents", json: ["name": name, "agent_type": "generic"], as: owner)
            try #require(response.status == 201, "\(response.text)")
            return try #require(response.object["id"] as? String)
        }

        func roundRobin(_ members: [String], name: String = "crew") -> [String: Any] {
            ["name": name, "description": "a crew",
             "coordination_pattern": ["type": "round_robin", "current_index": 0, "skip_unavailable": true],
             "members": members.map { ["agent_id": $0, "role": "regular"] }]
        }

        @Test func aGroupIsCreatedWithItsMembersAndReadBack() throws {
            let app = try TestHost(plugins: Self.plugins)
            let first = try agent(app, "first"), second = try agent(app, "second")
            let created = try app.request(.post, "/api/v1/groups", json: roundRobin([first, second]), as: Self.alice)
            try #require(created.status == 201, "\(created.text)")
            let id = try #require(created.object["id"] as? String)
            #expect(created.object["member_count"] as? Int == 2)
            let read = try app.request(.get, "/api/v1/groups/\(id)", as: Self.alice)
            let members = read.object["members"] as? [[String: Any]] ?? []
            #expect(Set(members.compactMap { $0["agent_id"] as? String }) == [first, second])
        }

        @Test func anotherUsersAgentCannotBeAMember() throws {
            let app = try TestHost(plugins: Self.plugins)
            let foreign = try agent(app, "foreign", as: .user("user_bob"))
            let response = try app.request(.post, "/api/v1/groups", json: roundRobin([foreign]), as: Self.alice)
            #expect(response.status == 400)
            #expect(response.errorFields == ["members[0].agent_id"], "\(response.text)")
            #expect(try app.request(.get, "/api/v1/groups", as: Self.alice).object["total"] as? Int == 0)
        }

        @Test func addingAndRemovingAMemberPublishesBothEvents() throws {
            let app = try TestHost(plugins: Self.plugins)
            let created = try app.request(.post, "/api/v1/groups", json: roundRobin([]), as: Self.alice)
            let id = try #require(created.object["id"] as? String, "\(created.text)")
            let member = try agent(app, "joiner")
            let added = try app.request(.post, "/api/v1/groups/\(id)/members", json: ["agent_id": member, "role": "regular"],
                                        as: Self.alice)
            #expect(added.status == 201, "\(added.text)")
            #expect(try app.request(.delete, "/api/v1/groups/\(id)/members/\(member)", as: Self.alice).status == 204)
            let types = app.events(topic: "group:\(id)").map(\.json)
            #expect(types.contains { $0.contains("group_member_added") }, "\(types)")
            #expect(types.contains { $0.contains("group_member_removed") }, "\(types)")
        }

        @Test func anUnknownPatternTypeNamesTheField() throws {
            let app = try TestHost(plugins: Self.plugins)
            var body = roundRobin([])
            body["coordination_pattern"] = ["type": "telepathy"]
            let response = try app.request(.post, "/api/v1/groups", json: body, as: Self.alice)
            #expect(response.status == 400)
            #expect(response.errorFields.first?.hasPrefix("coordination_pattern") == true, "\(response.text)")
        }
    }
}
