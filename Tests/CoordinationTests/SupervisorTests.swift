import Testing
@testable import Coordination

@Suite struct SupervisorTests {
    static func planner(_ strategy: SupervisorPattern.Strategy, fallback: SupervisorPattern.Fallback = .handleSelf,
                        max: Int? = nil, members: [Member]) throws -> SupervisorPlanner {
        try SupervisorPlanner(group: group(.supervisor(SupervisorPattern(
            leaderID: "lead", maxDelegationsPerAgent: max, strategy: strategy, fallback: fallback)), members))
    }

    static let team = [
        member("lead", role: .supervisor, capabilities: ["code"]),
        member("ann", capabilities: ["writing"]),
        member("bob", role: .specialist(domain: "rust"), capabilities: ["code"]),
        member("cat", capabilities: ["testing", "code"]),
    ]

    func delegate(_ planner: SupervisorPlanner, _ request: DelegationRequest, random: UInt64 = first) -> DelegationDecision {
        var generator = fixedRandom(random)
        return planner.delegate(request, using: &generator)
    }

    @Test func theLeaderAnswers() throws {
        #expect(try Self.planner(.roundRobin, members: Self.team).leader() == Self.team[0])
    }

    @Test func aLeaderOutsideTheGroupOrUnavailableIsAClearError() throws {
        #expect(throws: CoordinationError.leaderNotInGroup(agentID: "lead")) {
            try Self.planner(.roundRobin, members: Array(Self.team.dropFirst())).leader()
        }
        #expect(throws: CoordinationError.leaderUnavailable(agentID: "lead")) {
            try Self.planner(.roundRobin, members: [member("lead", suspended: true)] + Self.team.dropFirst()).leader()
        }
        #expect(throws: CoordinationError.leaderUnavailable(agentID: "lead")) {
            try Self.planner(.roundRobin, members: [member("lead", active: false)]).leader()
        }
    }

    @Test func roundRobinRotatesOverTheOtherMembersByTheCallersCount() throws {
        let planner = try Self.planner(.roundRobin, members: Self.team)
        let picks = (0..<4).map { delegate(planner, DelegationRequest(task: "x", rotation: $0)) }
        #expect(picks == [.delegate(Self.team[1]), .delegate(Self.team[2]), .delegate(Self.team[3]),
                          .delegate(Self.team[1])])
    }

    @Test func leastBusyPicksTheFewestTurnsAndBreaksTiesByGroupOrder() throws {
        let planner = try Self.planner(.leastBusy, members: Self.team)
        #expect(delegate(planner, DelegationRequest(task: "x", busy: ["ann": 2, "bob": 1, "cat": 1]))
                == .delegate(Self.team[2]))
        #expect(delegate(planner, DelegationRequest(task: "x")) == .delegate(Self.team[1]))
        // The leader's own load never makes it a delegate.
        #expect(delegate(planner, DelegationRequest(task: "x", busy: ["ann": 1, "bob": 1, "cat": 1, "lead": 0]))
                == .delegate(Self.team[1]))
    }

    @Test func capabilityMatchesTheTaskTextOrTheRequiredCapability() throws {
        let planner = try Self.planner(.capability, fallback: .fail, members: Self.team)
        #expect(delegate(planner, DelegationRequest(task: "Please write the release notes (writing)"))
                == .delegate(Self.team[1]))
        // bob (code + rust domain) scores 2, cat (code) 1.
        #expect(delegate(planner, DelegationRequest(task: "port this code to Rust")) == .delegate(Self.team[2]))
        #expect(delegate(planner, DelegationRequest(task: "anything", requiredCapability: "Testing"))
                == .delegate(Self.team[3]))
        // A tie (bob and cat both know code) goes to the less busy, then the earlier member.
        #expect(delegate(planner, DelegationRequest(task: "some code", busy: ["bob": 3])) == .delegate(Self.team[3]))
        #expect(delegate(planner, DelegationRequest(task: "some code")) == .delegate(Self.team[2]))
    }

    @Test func capabilityWithNoMatchFallsBack() throws {
        #expect(delegate(try Self.planner(.capability, fallback: .fail, members: Self.team),
                         DelegationRequest(task: "bake a cake")) == .fail("no member has the capability the task needs"))
        #expect(delegate(try Self.planner(.capability, fallback: .handleSelf, members: Self.team),
                         DelegationRequest(task: "bake a cake")) == .handleSelf)
        #expect(delegate(try Self.planner(.capability, fallback: .queue, members: Self.team),
                         DelegationRequest(task: "bake a cake")) == .queue)
    }

    @Test func randomUsesTheInjectedGenerator() throws {
        let planner = try Self.planner(.random, members: Self.team)
        #expect(delegate(planner, DelegationRequest(task: "x"), random: first) == .delegate(Self.team[1]))
        #expect(delegate(planner, DelegationRequest(task: "x"), random: .max) == .delegate(Self.team[3]))
    }

    @Test func maxDelegationsPerAgentTakesAMemberOutOfTheRunning() throws {
        let planner = try Self.planner(.leastBusy, fallback: .queue, max: 2, members: Self.team)
        #expect(delegate(planner, DelegationRequest(task: "x", delegationCounts: ["ann": 2])) == .delegate(Self.team[2]))
        #expect(planner.candidates(DelegationRequest(task: "x", delegationCounts: ["ann": 1, "bob": 2])).map(\.agentID)
                == ["ann", "cat"])
        #expect(delegate(planner, DelegationRequest(task: "x", delegationCounts: ["ann": 2, "bob": 5, "cat": 2])) == .queue)
    }

    @Test func unavailableMembersAndObserversAreNeverDelegates() throws {
        let members = [Self.team[0], member("ann", suspended: true), member("bob", active: false),
                       member("cat", role: .observer), member("dan")]
        let planner = try Self.planner(.roundRobin, members: members)
        #expect(planner.candidates(DelegationRequest(task: "x")).map(\.agentID) == ["dan"])
        #expect(delegate(planner, DelegationRequest(task: "x", rotation: 7)) == .delegate(members[4]))
    }

    @Test func noOneToDelegateToFollowsFallbackBehavior() throws {
        let alone = [Self.team[0], member("ann", suspended: true)]
        #expect(delegate(try Self.planner(.leastBusy, fallback: .handleSelf, members: alone),
                         DelegationRequest(task: "x")) == .handleSelf)
        #expect(delegate(try Self.planner(.random, fallback: .queue, members: alone), DelegationRequest(task: "x")) == .queue)
        guard case .fail(let reason) = delegate(try Self.planner(.roundRobin, fallback: .fail, members: alone),
                                                DelegationRequest(task: "x")) else {
            Issue.record("expected a failure")
            return
        }
        #expect(reason.contains("no member can take a delegation"))
    }
}

@Suite struct MemberSelectionTests {
    @Test func leastBusyTiesGoToTheEarlierMemberAndNobodyIsNil() {
        let members = [member("a"), member("b"), member("c")]
        #expect(members.leastBusy(["a": 2, "b": 1, "c": 1])?.agentID == "b")
        #expect(members.leastBusy([:])?.agentID == "a")
        #expect([Member]().leastBusy([:]) == nil)
    }

    @Test func bestExpertiseKeepsEveryMemberWithTheTopScore() {
        let members = [member("a", capabilities: ["code"]), member("b", capabilities: ["code", "rust"]),
                       member("c", capabilities: ["rust", "code"])]
        let best = members.bestExpertise(for: "rust code")
        #expect(best?.members.map(\.agentID) == ["b", "c"] && best?.score == 2)
        #expect(members.bestExpertise(for: "cake")?.members.count == 3)
        #expect(members.bestExpertise(for: "cake")?.score == 0)
        #expect([Member]().bestExpertise(for: "code") == nil)
    }
}
