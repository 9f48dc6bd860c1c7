import Testing
@testable import Coordination

@Suite struct VotingTests {
    static let members = [
        member("sup", role: .supervisor), member("ann"), member("bob", capabilities: ["geography"]),
        member("cat", role: .specialist(domain: "history")), member("obs", role: .observer),
        member("zed", suspended: true),
    ]

    static func planner(quorum: Int, _ tieBreaker: VotingPattern.TieBreaker = .firstVote,
                        weighted: Bool = false) throws -> VotingPlanner {
        try VotingPlanner(group: group(.voting(VotingPattern(quorum: quorum, timeoutMilliseconds: 30000,
                                                             tieBreaker: tieBreaker, weightByExpertise: weighted)),
                                       members))
    }

    func tally(_ planner: VotingPlanner, _ ballots: [(String, String?)], question: String = "What is the capital?",
               random: UInt64 = first) -> VotingOutcome {
        var generator = fixedRandom(random)
        return planner.tally(ballots.map { Ballot(agentID: $0.0, answer: $0.1) }, question: question, using: &generator)
    }

    @Test func everyAvailableNonObserverVotes() throws {
        #expect(try Self.planner(quorum: 1).voters().map(\.agentID) == ["sup", "ann", "bob", "cat"])
        let nobody = group(.voting(VotingPattern(quorum: 1, timeoutMilliseconds: 1, tieBreaker: .random)),
                           [member("x", suspended: true), member("o", role: .observer)])
        #expect(throws: CoordinationError.noAvailableMember) { try VotingPlanner(group: nobody).voters() }
        let empty = group(.voting(VotingPattern(quorum: 1, timeoutMilliseconds: 1, tieBreaker: .random)), [])
        #expect(throws: CoordinationError.noAvailableMember) { try VotingPlanner(group: empty).voters() }
    }

    @Test func theAnswerReachingQuorumWinsComparedInNormalisedForm() throws {
        let outcome = tally(try Self.planner(quorum: 3),
                            [("ann", " Paris. "), ("bob", "London"), ("cat", "PARIS"), ("sup", "paris!")])
        #expect(outcome == .decided(Tally(normalized: "paris", answer: "Paris.", voters: ["ann", "cat", "sup"], weight: 3),
                                    tieBroken: false))
    }

    @Test func belowQuorumIsNoQuorumWithEveryAnswer() throws {
        let outcome = tally(try Self.planner(quorum: 3), [("ann", "Paris"), ("bob", "London"), ("cat", "paris")])
        #expect(outcome == .noQuorum([Tally(normalized: "paris", answer: "Paris", voters: ["ann", "cat"], weight: 2),
                                      Tally(normalized: "london", answer: "London", voters: ["bob"], weight: 1)]))
    }

    @Test func missingAndBlankAnswersAbstain() throws {
        let outcome = tally(try Self.planner(quorum: 1), [("ann", nil), ("bob", "  "), ("cat", "..."), ("sup", "Rome")])
        #expect(outcome == .decided(Tally(normalized: "rome", answer: "Rome", voters: ["sup"], weight: 1), tieBroken: false))
        #expect(tally(try Self.planner(quorum: 1), []) == .noQuorum([]))
        #expect(tally(try Self.planner(quorum: 1), [("ann", nil)]) == .noQuorum([]))
    }

    static let tie: [(String, String?)] = [("ann", "London"), ("sup", "Paris"), ("bob", "london"), ("cat", "paris")]

    @Test func firstVoteBreaksATieForTheAnswerWhoseFirstBallotCameFirst() throws {
        guard case .decided(let winner, true) = tally(try Self.planner(quorum: 2, .firstVote), Self.tie) else {
            Issue.record("expected a decided tie")
            return
        }
        #expect(winner.normalized == "london")
    }

    @Test func randomBreaksATieWithTheInjectedGenerator() throws {
        let planner = try Self.planner(quorum: 1, .random)
        guard case .decided(let low, true) = tally(planner, Self.tie, random: first),
              case .decided(let high, true) = tally(planner, Self.tie, random: .max) else {
            Issue.record("expected decided ties")
            return
        }
        #expect((low.normalized, high.normalized) == ("london", "paris"))
    }

    @Test func noDecisionLeavesATieUndecided() throws {
        guard case .noDecision(let tied) = tally(try Self.planner(quorum: 2, .noDecision), Self.tie) else {
            Issue.record("expected no decision")
            return
        }
        #expect(tied.map(\.normalized) == ["london", "paris"])
    }

    @Test func supervisorDecidesTakesTheSupervisorsAnswer() throws {
        guard case .decided(let winner, true) = tally(try Self.planner(quorum: 2, .supervisorDecides), Self.tie) else {
            Issue.record("expected a decided tie")
            return
        }
        #expect(winner.normalized == "paris")
        // The supervisor gave none of the tied answers: no decision.
        let outcome = tally(try Self.planner(quorum: 1, .supervisorDecides), [("ann", "A"), ("bob", "B"), ("sup", nil)])
        guard case .noDecision = outcome else {
            Issue.record("expected no decision, got \(outcome)")
            return
        }
    }

    @Test func aSpecificAgentBreaksTheTie() throws {
        guard case .decided(let winner, true) = tally(try Self.planner(quorum: 2, .specificAgent("bob")), Self.tie) else {
            Issue.record("expected a decided tie")
            return
        }
        #expect(winner.normalized == "london")
        guard case .noDecision = tally(try Self.planner(quorum: 2, .specificAgent("nobody")), Self.tie) else {
            Issue.record("expected no decision")
            return
        }
    }

    @Test func weightByExpertiseDoublesTheBallotOfAMemberWhoseExpertiseTheQuestionMentions() throws {
        let ballots: [(String, String?)] = [("ann", "Paris"), ("sup", "Paris"), ("bob", "Lyon")]
        let question = "A geography question: what is the capital of France?"
        // Unweighted: Paris 2, Lyon 1. Weighted: bob knows geography, so Lyon weighs 2 too: a tie.
        guard case .decided(let plain, false) = tally(try Self.planner(quorum: 2), ballots, question: question) else {
            Issue.record("expected Paris")
            return
        }
        #expect(plain.normalized == "paris")
        let weighted = tally(try Self.planner(quorum: 2, .noDecision, weighted: true), ballots, question: question)
        #expect(weighted == .noDecision([
            Tally(normalized: "paris", answer: "Paris", voters: ["ann", "sup"], weight: 2),
            Tally(normalized: "lyon", answer: "Lyon", voters: ["bob"], weight: 2),
        ]))
        // A specialist's domain counts as expertise, and weight counts toward the quorum.
        let history = tally(try Self.planner(quorum: 2, weighted: true), [("cat", "1066")], question: "A history question")
        #expect(history == .decided(Tally(normalized: "1066", answer: "1066", voters: ["cat"], weight: 2), tieBroken: false))
        let planner = try Self.planner(quorum: 1, weighted: true)
        #expect(planner.weight(of: Self.members[1], question: question) == 1)
    }
}
