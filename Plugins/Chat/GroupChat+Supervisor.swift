import Coordination
import PluginKit

/// The supervisor pattern. The delegate is chosen when the message arrives
/// (`SupervisorPlanner.delegate`: the strategy among the other available members below
/// `max_delegations_per_agent`, counting the delegations each holds now in the ledger); the
/// delegate answers first, then the leader answers with the delegate's answer in the group's
/// history. With no delegate, `fallback_behavior` decides: `handle_self` — the leader alone;
/// `queue` — the least busy other member takes it anyway, its turn waiting in its lane;
/// `fail` — 409 naming why.
extension GroupChat {
    func supervisor(_ group: GroupSnapshot, text: String) throws -> Plan {
        let planner = try SupervisorPlanner(group: group)
        let leader = try planner.leader()
        let (holding, rotation) = ledger.state(groupID: group.id)
        let busy = turns.queue.busy(group.members.map(\.agentID))
        var random = SystemRandomNumberGenerator()
        let decision = planner.delegate(DelegationRequest(task: text, busy: busy, delegationCounts: holding, rotation: rotation),
                                        using: &random)
        let delegate: Member?
        switch decision {
        case .delegate(let member): delegate = member
        case .handleSelf: delegate = nil
        case .queue: delegate = group.respondents.filter { $0.agentID != leader.agentID }.leastBusy(busy)
        case .fail(let reason): throw HTTPError.conflict("The group \"\(group.name)\" cannot delegate: \(reason).")
        }
        if let delegate { ledger.take(groupID: group.id, agentID: delegate.agentID) }
        return .supervised(leader: leader, delegate: delegate)
    }

    /// A plan that will not run gives back its delegation.
    func releaseDelegation(_ plan: Plan, _ group: GroupSnapshot) {
        if case .supervised(_, let delegate?) = plan { ledger.release(groupID: group.id, agentID: delegate.agentID) }
    }

    func supervised(leader: Member, delegate: Member?, _ message: RoutedMessage) async -> TurnRunner.Outcome {
        var total = TurnRunner.Outcome()
        if let delegate {
            let metadata: [String: JSONValue] = ["delegated_by": .string(leader.agentID)]
            let outcome = await turns.run(delegate, message.input(delegate, metadata: metadata), stream: message.stream)
            ledger.release(groupID: message.group.id, agentID: delegate.agentID)
            if let outcome { total.absorb(outcome) }
        }
        // The leader's answer is the group's: its failure is the request's.
        let answer = await turns.run(leader, message.input(leader), stream: message.stream) ?? TurnRunner.Outcome()
        total.absorb(answer)
        total.error = answer.error
        return total
    }
}
