import PluginKit
import Testing
@testable import Coordination

@Suite struct DynamicTests {
    static let members = [
        Member(agentID: "a1", agentName: "Lead", capabilities: ["planning"]),
        Member(agentID: "a2", agentName: "lead-writer", capabilities: ["writing"]),
        Member(agentID: "a3", agentName: "Coder", role: .specialist(domain: "rust"), capabilities: ["code"]),
        Member(agentID: "a4", agentName: "Sleepy", agentIsActive: false),
        Member(agentID: "a5", agentName: "Watcher", role: .observer),
    ]

    static func planner(_ selector: String, config: JSONValue = [:], members: [Member] = members) throws
        -> DynamicPlanner
    {
        try DynamicPlanner(group: group(.dynamic(DynamicPattern(selectorName: selector, selectorConfig: config)), members))
    }

    func route(_ planner: DynamicPlanner, _ message: String, busy: [String: Int] = [:], random: UInt64 = first)
        throws -> DynamicPlan
    {
        var generator = fixedRandom(random)
        return try planner.route(message, busy: busy, using: &generator)
    }

    @Test func anAtNameAddressesThatMemberCaseInsensitively() throws {
        let plan = try route(try Self.planner("random"), "@coder can you look at this?")
        #expect(plan.route == .mentioned([Self.members[2]]))
        #expect(plan.members == [Self.members[2]])
    }

    @Test func theLongestNameWinsAndNamesEndAtABoundary() throws {
        let planner = try Self.planner("random")
        #expect(try route(planner, "hey @lead-writer, draft it").route == .mentioned([Self.members[1]]))
        #expect(try route(planner, "@LEAD: plan it").route == .mentioned([Self.members[0]]))
        // "@leader" is neither Lead nor lead-writer.
        let plan = try route(planner, "@leader please", random: first)
        #expect(plan.unmatchedMentions == ["leader"])
        #expect(plan.route == .selected(Self.members[0]))
    }

    @Test func severalMentionsAddressEachOnceInMentionOrder() throws {
        let plan = try route(try Self.planner("random"), "@Coder and @lead, then @coder again")
        #expect(plan.route == .mentioned([Self.members[2], Self.members[0]]))
    }

    @Test func anEmailAddressIsNoMention() throws {
        let plan = try route(try Self.planner("least_busy"), "write to coder@lead.example")
        #expect(plan.route == .selected(Self.members[0]))
        #expect(plan.unmatchedMentions.isEmpty)
    }

    @Test func atAllBroadcastsToEveryMemberThatMayAnswer() throws {
        let plan = try route(try Self.planner("random"), "@all status update please")
        #expect(plan.route == .broadcast([Self.members[0], Self.members[1], Self.members[2]]))
        #expect(try route(try Self.planner("random"), "@ALL!").route == .broadcast(Array(Self.members[0...2])))
        // "@allison" is not @all.
        #expect(try route(try Self.planner("random"), "@allison hi").unmatchedMentions == ["allison"])
    }

    @Test func mentionsOfNonMembersAreReportedAndTheSelectorDecides() throws {
        let plan = try route(try Self.planner("least_busy"), "@stranger @nobody what now?", busy: ["a1": 2])
        #expect(plan.unmatchedMentions == ["stranger", "nobody"])
        #expect(plan.route == .selected(Self.members[1]))
        // A member mentioned beside a stranger is addressed.
        let mixed = try route(try Self.planner("least_busy"), "@stranger and @Coder")
        #expect(mixed.route == .mentioned([Self.members[2]]))
        #expect(mixed.unmatchedMentions == ["stranger"])
    }

    @Test func aMentionedObserverAnswersButAMentionedSuspendedMemberCannot() throws {
        let planner = try Self.planner("random")
        #expect(try route(planner, "@watcher what did you see?").route == .mentioned([Self.members[4]]))
        let plan = try route(planner, "@sleepy and @coder")
        #expect(plan.route == .mentioned([Self.members[2]]))
        #expect(plan.unavailableMentions == [Self.members[3]])
        #expect(throws: CoordinationError.noAvailableMember) { try route(planner, "@sleepy wake up") }
    }

    @Test func theCapabilitySelectorPicksTheBestExpertiseMatch() throws {
        let planner = try Self.planner("capability")
        #expect(try route(planner, "write some Rust code").route == .selected(Self.members[2]))
        #expect(try route(planner, "help with writing").route == .selected(Self.members[1]))
        // selector_config capabilities count as if the message named them.
        let configured = try Self.planner("capability", config: ["capabilities": ["planning"]])
        #expect(try route(configured, "anything at all").route == .selected(Self.members[0]))
        // No match: the least busy member.
        #expect(try route(planner, "bake a cake", busy: ["a1": 1, "a3": 0, "a2": 4]).route == .selected(Self.members[2]))
    }

    @Test func leastBusyAndItsLoadBalancingAliasPickTheFewestTurns() throws {
        for name in ["least_busy", "load_balancing"] {
            let planner = try Self.planner(name)
            #expect(try route(planner, "hi", busy: ["a1": 3, "a2": 1, "a3": 1]).route == .selected(Self.members[1]))
            #expect(try route(planner, "hi").route == .selected(Self.members[0]))
        }
    }

    @Test func randomUsesTheInjectedGeneratorOverMembersThatMayAnswer() throws {
        let planner = try Self.planner("random")
        #expect(try route(planner, "hi", random: first).route == .selected(Self.members[0]))
        #expect(try route(planner, "hi", random: .max).route == .selected(Self.members[2]))
    }

    @Test func anUnknownSelectorIsAClearErrorUpFront() {
        #expect(throws: CoordinationError.unknownSelector(name: "vibes", known: ["capability", "least_busy",
                                                                                 "load_balancing", "random"])) {
            try Self.planner("vibes")
        }
        #expect(throws: CoordinationError.invalidSelectorConfig(field: "capabilities", problem: "must be an array of strings")) {
            try Self.planner("capability", config: ["capabilities": "code"])
        }
        #expect(throws: CoordinationError.invalidSelectorConfig(field: "", problem: "must be an object")) {
            try Self.planner("capability", config: "code")
        }
    }

    @Test func nobodyAvailableIsAnError() throws {
        let nobody = [Member(agentID: "x", agentName: "x", agentIsActive: false), Member(agentID: "o", agentName: "o",
                                                                                        role: .observer)]
        let planner = try Self.planner("random", members: nobody)
        #expect(throws: CoordinationError.noAvailableMember) { try route(planner, "hello") }
        #expect(throws: CoordinationError.noAvailableMember) { try route(planner, "@all hello") }
        #expect(throws: CoordinationError.noAvailableMember) { try route(try Self.planner("least_busy", members: []), "hi") }
    }
}
