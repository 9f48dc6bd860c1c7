import PluginKit
import Testing
@testable import Coordination

/// Decoding what groups.v1 `get_group` and `list_sleeptime_groups` answer
/// (pattern_groups_service.h).
@Suite struct GroupSnapshotTests {
    static let serviceJSON = """
        {"id":"group_1","owner_id":"user_1","name":"team","description":"d","is_active":true,"member_count":3,
         "created_at":"2026-01-01T00:00:00.000Z","updated_at":"2026-01-01T00:00:00.000Z","last_active_at":null,
         "coordination_pattern":{"type":"pipeline","parallel_stages":true,"stages":[
            {"name":"draft","agent_ids":["agent_a"],"timeout":60000,"on_failure":"abort"},
            {"name":"review","agent_ids":["agent_b","agent_c"],"timeout":1000,"on_failure":{"retry":{"max_attempts":2}}},
            {"name":"ship","agent_ids":["agent_a"],"timeout":5,"on_failure":{"fallback":{"agent_id":"agent_b"}}},
            {"name":"tidy","agent_ids":["agent_c"],"timeout":5,"on_failure":"skip"}]},
         "members":[
            {"agent_id":"agent_a","agent_name":"Ann","role":"supervisor","capabilities":[],"metadata":{},
             "joined_at":"2026-01-01T00:00:00.000Z","is_active":true,"agent_is_active":true,"available":true},
            {"agent_id":"agent_b","agent_name":"Bob","role":{"specialist":{"domain":"rust"}},"capabilities":["code"],
             "metadata":{},"joined_at":"2026-01-01T00:00:00.000Z","is_active":true,"agent_is_active":false,
             "available":false},
            {"agent_id":"agent_c","agent_name":"Cat","role":"observer","capabilities":["review"],"metadata":{},
             "joined_at":"2026-01-01T00:00:00.000Z","is_active":false,"agent_is_active":true,"available":false}]}
        """

    @Test func decodesTheServicesGroupWithMembersAndPattern() throws {
        let snapshot = try GroupSnapshot(jsonText: Self.serviceJSON)
        #expect(snapshot.id == "group_1" && snapshot.ownerID == "user_1" && snapshot.name == "team" && snapshot.isActive)
        #expect(snapshot.members == [
            Member(agentID: "agent_a", agentName: "Ann", role: .supervisor),
            Member(agentID: "agent_b", agentName: "Bob", role: .specialist(domain: "rust"), capabilities: ["code"],
                   agentIsActive: false),
            Member(agentID: "agent_c", agentName: "Cat", role: .observer, capabilities: ["review"], isActive: false),
        ])
        #expect(snapshot.pattern == .pipeline(PipelinePattern(stages: [
            .init(name: "draft", agentIDs: ["agent_a"], timeoutMilliseconds: 60000, onFailure: .abort),
            .init(name: "review", agentIDs: ["agent_b", "agent_c"], timeoutMilliseconds: 1000,
                  onFailure: .retry(maxAttempts: 2)),
            .init(name: "ship", agentIDs: ["agent_a"], timeoutMilliseconds: 5, onFailure: .fallback(agentID: "agent_b")),
            .init(name: "tidy", agentIDs: ["agent_c"], timeoutMilliseconds: 5, onFailure: .skip),
        ], parallelStages: true)))
        #expect(snapshot.members.map(\.isAvailable) == [true, false, false])
        #expect(snapshot.respondents.map(\.agentID) == ["agent_a"])
        #expect(snapshot.members[1].expertise == ["code", "rust"])
    }

    @Test func decodesEveryPatternTheGroupsPluginStores() throws {
        let patterns: [(String, CoordinationPattern)] = [
            (#"{"type":"round_robin","current_index":2,"skip_unavailable":false}"#,
             .roundRobin(RoundRobinPattern(currentIndex: 2, skipUnavailable: false))),
            (#"{"type":"supervisor","leader_id":"agent_a","delegation_rules":{"max_delegations_per_agent":null,"#
                + #""delegation_strategy":"least_busy","fallback_behavior":"queue"}}"#,
             .supervisor(SupervisorPattern(leaderID: "agent_a", strategy: .leastBusy, fallback: .queue))),
            (#"{"type":"voting","quorum":2,"voting_rules":{"voting_timeout":30000,"#
                + #""tie_breaker":{"specific_agent":{"agent_id":"agent_c"}},"weight_by_expertise":true}}"#,
             .voting(VotingPattern(quorum: 2, timeoutMilliseconds: 30000, tieBreaker: .specificAgent("agent_c"),
                                   weightByExpertise: true))),
            (#"{"type":"dynamic","selector_name":"capability","selector_config":{"capabilities":["code"]}}"#,
             .dynamic(DynamicPattern(selectorName: "capability", selectorConfig: ["capabilities": ["code"]]))),
            (#"{"type":"sleeptime","check_interval":60000,"triggers":[{"name":"t"}],"intervention_agent_id":null}"#,
             .sleeptime(SleeptimePattern(checkIntervalMilliseconds: 60000, triggers: [["name": "t"]]))),
        ]
        for (text, expected) in patterns {
            #expect(try CoordinationPattern(json: JSONValue(parsing: text)!) == expected, "\(text)")
        }
    }

    @Test func malformedJSONNamesTheField() {
        #expect(throws: CoordinationError.malformed(field: "body", problem: "is not JSON")) {
            try GroupSnapshot(jsonText: "{")
        }
        #expect(throws: CoordinationError.malformed(field: "members", problem: "is required")) {
            try GroupSnapshot(jsonText: #"{"id":"g","coordination_pattern":{"type":"round_robin"}}"#)
        }
        #expect(throws: CoordinationError.malformed(field: "members[0].role",
                                                    problem: #"must be "regular", "supervisor", "observer" or {"specialist": {"domain": "…"}}"#)) {
            try GroupSnapshot(jsonText: #"{"id":"g","coordination_pattern":{"type":"round_robin"},"#
                              + #""members":[{"agent_id":"a","role":"boss"}]}"#)
        }
        #expect(throws: CoordinationError.malformed(
            field: "coordination_pattern.type",
            problem: "must be one of supervisor, round_robin, voting, pipeline, dynamic, sleeptime")) {
            try CoordinationPattern(json: ["type": "anarchy"])
        }
    }

    @Test func aPlannerRefusesAGroupOfAnotherPattern() {
        let roundRobin = group(.roundRobin(RoundRobinPattern()), [member("a")])
        #expect(throws: CoordinationError.wrongPattern(expected: "voting", actual: "round_robin")) {
            try VotingPlanner(group: roundRobin)
        }
        #expect(throws: CoordinationError.wrongPattern(expected: "supervisor", actual: "round_robin")) {
            try SupervisorPlanner(group: roundRobin)
        }
        #expect(throws: CoordinationError.wrongPattern(expected: "pipeline", actual: "round_robin")) {
            try PipelinePlanner(group: roundRobin)
        }
        #expect(throws: CoordinationError.wrongPattern(expected: "dynamic", actual: "round_robin")) {
            try DynamicPlanner(group: roundRobin)
        }
    }

    @Test func errorsReadAsOneLineForTheUser() {
        #expect(CoordinationError.unknownSelector(name: "vibes", known: DynamicSelector.names).description
                == #"coordination_pattern.selector_name: unknown selector "vibes"; known: capability, least_busy, load_balancing, random"#)
        #expect(CoordinationError.leaderNotInGroup(agentID: "agent_x").description
                == "the supervisor pattern's leader agent_x is not a member of the group")
    }
}
