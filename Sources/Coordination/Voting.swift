import PluginKit

/// `voting {quorum, voting_rules: {voting_timeout, tie_breaker, weight_by_expertise}}`.
public struct VotingPattern: Sendable, Equatable {
    public enum TieBreaker: Sendable, Equatable {
        case random, firstVote, noDecision, supervisorDecides
        case specificAgent(String)
    }

    /// Votes (weighted, see `VotingPlanner`) the winning answer needs.
    public var quorum: Int
    /// How long members have to answer.
    public var timeoutMilliseconds: Int64
    public var tieBreaker: TieBreaker
    public var weightByExpertise: Bool

    public init(quorum: Int, timeoutMilliseconds: Int64, tieBreaker: TieBreaker, weightByExpertise: Bool = false) {
        self.quorum = quorum
        self.timeoutMilliseconds = timeoutMilliseconds
        self.tieBreaker = tieBreaker
        self.weightByExpertise = weightByExpertise
    }

    init(_ fields: JSONFields) throws(HTTPError) {
        quorum = Int(clamping: try fields.requiredInteger("quorum"))
        let rules = try fields.requiredObject("voting_rules")
        timeoutMilliseconds = try rules.requiredInteger("voting_timeout")
        weightByExpertise = try rules.bool("weight_by_expertise") ?? false
        switch rules.value("tie_breaker") {
        case .string("random")?: tieBreaker = .random
        case .string("first_vote")?: tieBreaker = .firstVote
        case .string("no_decision")?: tieBreaker = .noDecision
        case .string("supervisor_decides")?: tieBreaker = .supervisorDecides
        case .object(let members)? where members["specific_agent"] != nil:
            let specific = try JSONFields(members["specific_agent"]!, path: rules.field("tie_breaker.specific_agent"))
            tieBreaker = .specificAgent(try specific.requiredString("agent_id"))
        default:
            throw .validation(rules.field("tie_breaker"), "must be one of random, first_vote, no_decision, "
                              + #"supervisor_decides or {"specific_agent": {"agent_id": "…"}}"#)
        }
    }
}

/// The voting pattern: every member that may answer (`voters`) answers the message; the
/// group's answer is the one reaching the quorum.
///
/// Answers are compared in `TextMatching.normalizedAnswer` form (trimmed, lowercased,
/// whitespace collapsed, trailing punctuation stripped); the winning answer is reported in the
/// words of its first ballot. A missing or blank answer (the member failed or ran out of
/// `voting_timeout`) abstains. Each ballot weighs 1; with `weight_by_expertise`, a ballot of a
/// member whose expertise (capabilities or specialist domain) the question mentions weighs 2.
/// An answer wins when its weight is at least `quorum` and no other answer weighs as much;
/// when several share the top weight (at or above quorum), `tie_breaker` picks:
/// `first_vote` the tied answer whose first ballot came earliest, `random` one uniformly with
/// the caller's generator, `supervisor_decides` the tied answer the group's (first) member with
/// role supervisor gave, `specific_agent` the tied answer that agent gave — and if that member
/// gave none of the tied answers, or with `no_decision`, there is no decision.
public struct VotingPlanner: Sendable {
    public let group: GroupSnapshot
    public let pattern: VotingPattern

    public init(group: GroupSnapshot) throws(CoordinationError) {
        self.group = group
        pattern = try group.pattern("voting") { if case .voting(let pattern) = $0 { pattern } else { nil } }
    }

    /// The members asked to vote; `noAvailableMember` when there are none.
    public func voters() throws(CoordinationError) -> [Member] {
        let voters = group.respondents
        guard !voters.isEmpty else { throw .noAvailableMember }
        return voters
    }

    /// The weight of `member`'s ballot on `question`.
    public func weight(of member: Member, question: String) -> Int {
        pattern.weightByExpertise && TextMatching.expertiseScore(of: member, text: question) > 0 ? 2 : 1
    }

    /// Counts `ballots` (in the order they arrived) on `question`.
    public func tally(_ ballots: [Ballot], question: String, using random: inout some RandomNumberGenerator)
        -> VotingOutcome
    {
        var tallies: [Tally] = []
        var positions: [String: Int] = [:]
        for ballot in ballots {
            guard let answer = ballot.answer else { continue }
            let normalized = TextMatching.normalizedAnswer(answer)
            guard !normalized.isEmpty else { continue }
            let weight = group.member(ballot.agentID).map { self.weight(of: $0, question: question) } ?? 1
            if let position = positions[normalized] {
                tallies[position].voters.append(ballot.agentID)
                tallies[position].weight += weight
            } else {
                positions[normalized] = tallies.count
                tallies.append(Tally(normalized: normalized, answer: answer.trimmingWhitespace, voters: [ballot.agentID],
                                     weight: weight))
            }
        }
        guard let top = tallies.map(\.weight).max(), top >= pattern.quorum else { return .noQuorum(tallies) }
        let tied = tallies.filter { $0.weight == top }  // in first-ballot order
        if tied.count == 1 { return .decided(tied[0], tieBroken: false) }
        let winner: Tally? = switch pattern.tieBreaker {
        case .firstVote: tied[0]
        case .random: tied[Int.random(in: 0..<tied.count, using: &random)]
        case .noDecision: nil
        case .supervisorDecides:
            group.members.first { $0.role == .supervisor }.flatMap { supervisor in
                tied.first { $0.voters.contains(supervisor.agentID) }
            }
        case .specificAgent(let agentID): tied.first { $0.voters.contains(agentID) }
        }
        guard let winner else { return .noDecision(tied) }
        return .decided(winner, tieBroken: true)
    }
}

/// One member's answer; nil when it gave none (failed, timed out).
public struct Ballot: Sendable, Equatable {
    public var agentID: String
    public var answer: String?

    public init(agentID: String, answer: String?) {
        self.agentID = agentID
        self.answer = answer
    }
}

/// The ballots for one answer.
public struct Tally: Sendable, Equatable {
    /// The compared form.
    public var normalized: String
    /// The answer as its first ballot put it (trimmed).
    public var answer: String
    /// The agent ids that gave it, in ballot order.
    public var voters: [String]
    public var weight: Int

    public init(normalized: String, answer: String, voters: [String], weight: Int) {
        self.normalized = normalized
        self.answer = answer
        self.voters = voters
        self.weight = weight
    }
}

public enum VotingOutcome: Sendable, Equatable {
    /// This answer is the group's; `tieBroken` when the tie breaker chose it.
    case decided(Tally, tieBroken: Bool)
    /// No answer reached the quorum: every answer given, in first-ballot order.
    case noQuorum([Tally])
    /// Answers tied at or above the quorum and the tie breaker did not choose.
    case noDecision([Tally])
}

extension String {
    var trimmingWhitespace: String {
        String(drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed())
    }
}
