import PluginKit

/// `supervisor {leader_id, delegation_rules: {max_delegations_per_agent?, delegation_strategy,
/// fallback_behavior}}`.
public struct SupervisorPattern: Sendable, Equatable {
    public enum Strategy: String, Sendable, CaseIterable {
        case roundRobin = "round_robin", leastBusy = "least_busy", capability, random
    }

    public enum Fallback: String, Sendable, CaseIterable {
        case handleSelf = "handle_self", queue, fail
    }

    public var leaderID: String
    /// Delegations one member may take (as the caller counts them); nil: no limit.
    public var maxDelegationsPerAgent: Int?
    public var strategy: Strategy
    public var fallback: Fallback

    public init(leaderID: String, maxDelegationsPerAgent: Int? = nil, strategy: Strategy, fallback: Fallback) {
        self.leaderID = leaderID
        self.maxDelegationsPerAgent = maxDelegationsPerAgent
        self.strategy = strategy
        self.fallback = fallback
    }

    init(_ fields: JSONFields) throws(HTTPError) {
        leaderID = try fields.requiredString("leader_id")
        let rules = try fields.requiredObject("delegation_rules")
        maxDelegationsPerAgent = try rules.integer("max_delegations_per_agent").map { Int(clamping: $0) }
        guard let strategy = Strategy(rawValue: try rules.requiredString("delegation_strategy")) else {
            throw .validation(rules.field("delegation_strategy"), "must be one of round_robin, least_busy, capability, random")
        }
        guard let fallback = Fallback(rawValue: try rules.requiredString("fallback_behavior")) else {
            throw .validation(rules.field("fallback_behavior"), "must be one of handle_self, queue, fail")
        }
        self.strategy = strategy
        self.fallback = fallback
    }
}

/// The supervisor pattern: the leader answers every message; when it hands work on, the
/// delegate is chosen here.
///
/// Delegates are the members that may answer (available, not observers) other than the
/// leader, and below `max_delegations_per_agent` by `DelegationRequest.delegationCounts`.
/// Among them, by `delegation_strategy`:
/// - `round_robin`: the candidate at `rotation` (modulo their count), `rotation` being how
///   many delegations the caller has made in this group so far;
/// - `least_busy`: the fewest turns running or queued (`busy`), ties to the earlier member;
/// - `capability`: the most expertise entries (capabilities, specialist domain) the task text
///   mentions or `requiredCapability` equals (`TextMatching.expertiseScore`), ties to the less
///   busy then the earlier member; nobody scoring above 0 counts as no candidate;
/// - `random`: uniformly, with the caller's random number generator.
/// With no candidate, `fallback_behavior` decides: `handle_self` (the leader does the task),
/// `queue` (keep the task and ask again when a delegation finishes) or `fail`.
public struct SupervisorPlanner: Sendable {
    public let group: GroupSnapshot
    public let pattern: SupervisorPattern

    public init(group: GroupSnapshot) throws(CoordinationError) {
        self.group = group
        pattern = try group.pattern("supervisor") { if case .supervisor(let pattern) = $0 { pattern } else { nil } }
    }

    /// The member who answers the message: the leader, which must be an available member.
    public func leader() throws(CoordinationError) -> Member {
        guard let leader = group.member(pattern.leaderID) else { throw .leaderNotInGroup(agentID: pattern.leaderID) }
        guard leader.isAvailable else { throw .leaderUnavailable(agentID: pattern.leaderID) }
        return leader
    }

    /// The members a delegation could go to now, in group order.
    public func candidates(_ request: DelegationRequest) -> [Member] {
        group.respondents.filter { member in
            guard member.agentID != pattern.leaderID else { return false }
            guard let limit = pattern.maxDelegationsPerAgent else { return true }
            return request.delegationCounts[member.agentID, default: 0] < limit
        }
    }

    /// Whom the leader's task goes to.
    public func delegate(_ request: DelegationRequest, using random: inout some RandomNumberGenerator)
        -> DelegationDecision
    {
        let candidates = candidates(request)
        let chosen: Member? = switch pattern.strategy {
        case _ where candidates.isEmpty: nil
        case .roundRobin: candidates[((request.rotation % candidates.count) + candidates.count) % candidates.count]
        case .leastBusy: candidates.leastBusy(request.busy)
        case .random: candidates[Int.random(in: 0..<candidates.count, using: &random)]
        case .capability: Self.bestMatch(candidates, request)
        }
        if let chosen { return .delegate(chosen) }
        return switch pattern.fallback {
        case .handleSelf: .handleSelf
        case .queue: .queue
        case .fail: .fail(candidates.isEmpty
                          ? "no member can take a delegation (every other member is unavailable, an observer "
                            + "or at max_delegations_per_agent)"
                          : "no member has the capability the task needs")
        }
    }

    private static func bestMatch(_ candidates: [Member], _ request: DelegationRequest) -> Member? {
        let required = request.requiredCapability.map { [$0] } ?? []
        guard let best = candidates.bestExpertise(for: request.task, required: required), best.score > 0 else { return nil }
        return best.members.leastBusy(request.busy)
    }
}

/// What the supervisor planner needs to know to choose a delegate.
public struct DelegationRequest: Sendable, Equatable {
    /// The task text (the leader's delegation, or the user's message).
    public var task: String
    /// A capability the task needs, when the leader named one.
    public var requiredCapability: String?
    /// Turns running or queued per agent id (least_busy, and capability's ties).
    public var busy: [String: Int]
    /// Delegations each agent id has taken so far (for max_delegations_per_agent).
    public var delegationCounts: [String: Int]
    /// How many delegations this group has made so far (round_robin).
    public var rotation: Int

    public init(task: String, requiredCapability: String? = nil, busy: [String: Int] = [:],
                delegationCounts: [String: Int] = [:], rotation: Int = 0) {
        self.task = task
        self.requiredCapability = requiredCapability
        self.busy = busy
        self.delegationCounts = delegationCounts
        self.rotation = rotation
    }
}

public enum DelegationDecision: Sendable, Equatable {
    /// Hand the task to this member.
    case delegate(Member)
    /// fallback_behavior handle_self: the leader does the task itself.
    case handleSelf
    /// fallback_behavior queue: keep the task; ask again when a delegation finishes.
    case queue
    /// fallback_behavior fail: the task fails, with this reason for the user.
    case fail(String)
}
