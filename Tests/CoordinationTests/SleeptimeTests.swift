import PluginKit
import Testing
@testable import Coordination

@Suite struct SleeptimeTests {
    static let pattern = SleeptimePattern(checkIntervalMilliseconds: 60_000,
                                          triggers: [["name": "stalled", "condition": ["type": "time_elapsed"]],
                                                     ["priority": "high"]])

    @Test func aCheckIsDueFirstThenOncePerIntervalWhenSomethingHappened() {
        let p = Self.pattern
        #expect(SleeptimePlanner.isCheckDue(p, lastCheckAt: nil, lastActivityAt: nil, now: 0))
        #expect(!SleeptimePlanner.isCheckDue(p, lastCheckAt: 1_000, lastActivityAt: 2_000, now: 60_999))
        #expect(SleeptimePlanner.isCheckDue(p, lastCheckAt: 1_000, lastActivityAt: 2_000, now: 61_000))
        // A quiet group (nothing since the last check) costs no check.
        #expect(!SleeptimePlanner.isCheckDue(p, lastCheckAt: 1_000, lastActivityAt: 500, now: 500_000))
        #expect(!SleeptimePlanner.isCheckDue(p, lastCheckAt: 1_000, lastActivityAt: 1_000, now: 500_000))
        // Without activity tracking, the interval alone.
        #expect(SleeptimePlanner.isCheckDue(p, lastCheckAt: 1_000, lastActivityAt: nil, now: 61_000))
    }

    @Test func theNextCheckFallsAnIntervalAfterTheLast() {
        #expect(SleeptimePlanner.nextCheck(Self.pattern, lastCheckAt: nil, now: 5) == 5)
        #expect(SleeptimePlanner.nextCheck(Self.pattern, lastCheckAt: 1_000, now: 5) == 61_000)
        #expect(SleeptimePlanner.nextCheck(Self.pattern, lastCheckAt: 1_000, now: 90_000) == 90_000)
    }

    @Test func theInterventionAgentIsTheNamedOneElseASupervisorElseTheFirstWhoMayAnswer() {
        let members = [member("obs", role: .observer), member("ann"), member("sup", role: .supervisor)]
        let named = SleeptimePattern(checkIntervalMilliseconds: 1, interventionAgentID: "outsider")
        #expect(SleeptimePlanner.interventionAgentID(in: group(.sleeptime(named), members), pattern: named) == "outsider")
        let unnamed = SleeptimePattern(checkIntervalMilliseconds: 1)
        #expect(SleeptimePlanner.interventionAgentID(in: group(.sleeptime(unnamed), members), pattern: unnamed) == "sup")
        let noSupervisor = [member("obs", role: .observer), member("ann", suspended: true), member("bob")]
        #expect(SleeptimePlanner.interventionAgentID(in: group(.sleeptime(unnamed), noSupervisor), pattern: unnamed) == "bob")
        #expect(SleeptimePlanner.interventionAgentID(in: group(.sleeptime(unnamed), []), pattern: unnamed) == nil)
        let suspended = SleeptimePattern(checkIntervalMilliseconds: 1, interventionAgentID: "ann")
        #expect(SleeptimePlanner.interventionAgentID(in: group(.sleeptime(suspended), noSupervisor),
                                                     pattern: suspended) == nil)
    }

    @Test func thePromptHasTheTriggersAndTheRecentMessagesOldestFirst() {
        let messages = (1...3).map {
            SleeptimePlanner.Message(author: $0 == 2 ? "user" : "ann", text: "message \($0)", createdAt: "t\($0)")
        }
        let prompt = SleeptimePlanner.interventionPrompt(groupName: "team", pattern: Self.pattern, messages: messages)
        #expect(prompt.contains(#"the group "team""#))
        #expect(prompt.contains("NO_INTERVENTION"))
        #expect(prompt.contains(#"- stalled: {"type":"time_elapsed"}"#))
        #expect(prompt.contains(#"- {"priority":"high"}"#))
        #expect(prompt.hasSuffix("[t1] ann: message 1\n[t2] user: message 2\n[t3] ann: message 3"))
        #expect(SleeptimePlanner.interventionPrompt(groupName: "g", pattern: SleeptimePattern(checkIntervalMilliseconds: 1),
                                                    messages: []).hasSuffix("(no messages)"))
    }

    @Test func thePromptIsBounded() {
        let messages = (1...100).map { SleeptimePlanner.Message(author: "ann", text: String(repeating: "x", count: 5000),
                                                                createdAt: "t\($0)") }
        let limits = SleeptimePlanner.PromptLimits(maxMessages: 10, maxCharactersPerMessage: 100,
                                                   maxTranscriptCharacters: 450)
        let prompt = SleeptimePlanner.interventionPrompt(groupName: "g", pattern: Self.pattern, messages: messages,
                                                         limits: limits)
        let lines = prompt.split(separator: "\n").filter { $0.hasPrefix("[t") }
        // Each line is clipped to 100 characters of text; 450 characters hold the newest four.
        #expect(lines.map { $0.prefix(5) } == ["[t97]", "[t98]", "[t99]", "[t100"])
        #expect(lines.allSatisfy { $0.hasSuffix("…") && $0.count <= 100 + 12 })
        let many = (1...100).map { SleeptimePlanner.Message(author: "a", text: "m\($0)", createdAt: "t") }
        let recent = SleeptimePlanner.interventionPrompt(groupName: "g", pattern: Self.pattern, messages: many)
        #expect(recent.components(separatedBy: "\n[t] a:").count - 1 == 20)
        #expect(recent.hasSuffix("m100") && !recent.contains("m80\n"))
        let triggers = SleeptimePattern(checkIntervalMilliseconds: 1,
                                        triggers: (0..<50).map { ["name": .string("t\($0)")] })
        #expect(SleeptimePlanner.interventionPrompt(groupName: "g", pattern: triggers, messages: [])
                    .split(separator: "\n").filter { $0.hasPrefix("- ") }.count == 16)
    }

    @Test func aReplyOfNoInterventionDeclines() {
        #expect(SleeptimePlanner.declines("NO_INTERVENTION"))
        #expect(SleeptimePlanner.declines(" no_intervention. "))
        #expect(SleeptimePlanner.declines(""))
        #expect(!SleeptimePlanner.declines("Let's get back on track."))
    }

    @Test func decodesAListingPage() throws {
        let page = try SleeptimePage(jsonText: """
            {"groups":[{"group_id":"group_1","owner_id":"user_1","check_interval":60000,"triggers":[{"name":"t"}],
              "intervention_agent_id":"agent_1","last_active_at":"2026-01-01T00:00:01.000Z"},
             {"group_id":"group_2","owner_id":"user_2","check_interval":5000,"triggers":[],
              "intervention_agent_id":null,"last_active_at":null}],"next_after":"group_2"}
            """)
        #expect(page.nextAfter == "group_2")
        #expect(page.groups == [
            SleeptimeGroup(groupID: "group_1", ownerID: "user_1",
                           pattern: SleeptimePattern(checkIntervalMilliseconds: 60000, triggers: [["name": "t"]],
                                                     interventionAgentID: "agent_1"),
                           lastActiveAt: Timestamp.parse("2026-01-01T00:00:01.000Z")),
            SleeptimeGroup(groupID: "group_2", ownerID: "user_2",
                           pattern: SleeptimePattern(checkIntervalMilliseconds: 5000)),
        ])
        #expect(try SleeptimePage(jsonText: #"{"groups":[],"next_after":null}"#).nextAfter == nil)
        #expect(throws: CoordinationError.malformed(field: "groups[0].check_interval", problem: "is required")) {
            try SleeptimePage(jsonText: #"{"groups":[{"group_id":"g","owner_id":"u"}]}"#)
        }
    }
}
