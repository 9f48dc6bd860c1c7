import Coordination
import Foundation
import PluginKit

/// `POST /chat/messages` to a group: the user's message is stored once for the group
/// (`agent_id` null, `group_id` set), then routed by the group's coordination pattern to its
/// members, each member's turn in its own lane (`MemberTurns`) reading the group's history.
/// The answer has the shape of an agent's: every message stored, in order, the user's first,
/// and the usage summed; the SSE stream adds `agent_started` / `agent_completed` around each
/// member's events.
///
/// Whom to call is decided before the message is stored, so a group nobody can answer is a
/// 409 with nothing stored; the calls themselves run after the handler returns.
struct GroupChat: Sendable {
    let groups: GroupDirectory
    let turns: MemberTurns
    let messages: MessageStore
    let events: ChatEvents
    let ledger: DelegationLedger

    /// Who answers, as planned before the message is stored.
    enum Plan: Sendable {
        /// One member (round_robin; dynamic's selector).
        case one(Member)
        /// Several members at once (dynamic's @mentions and @all).
        case several([Member])
        /// supervisor: the delegate (holding a delegation in the ledger) answers, then the leader.
        case supervised(leader: Member, delegate: Member?)
        case pipeline(PipelinePlanner)
        case voting(VotingPlanner, voters: [Member])
        /// sleeptime: stored only; the intervention agent reviews on its timer.
        case stored
    }

    /// What one routed message carries through its turns.
    struct RoutedMessage: Sendable {
        var group: GroupSnapshot
        var text: String
        var stream: EventStream?

        /// A member's turn on the group's history (the user's message is its newest entry);
        /// with `historyEnd`, only up to that message (members answering at once).
        func input(_ member: Member, metadata: [String: JSONValue] = [:], prompt: String? = nil,
                   historyEnd: Int64? = nil) -> TurnRunner.Input {
            var input = TurnRunner.Input(agentID: member.agentID, ownerID: group.ownerID, message: nil, groupID: group.id,
                                         history: .group(group.id), prompt: prompt)
            input.metadata = metadata
            input.historyEnd = historyEnd
            return input
        }
    }

    /// Stores the user's message for the group and starts its members' turns; `finish` gets
    /// the gathered outcome once. Throws, having stored nothing, what is refused at once.
    func send(groupID: String, ownerID: String, content: MessageContent, stream: EventStream?,
              finish: @escaping @Sendable (TurnRunner.Outcome) -> Void) throws(HTTPError) {
        guard let group = try groups.group(id: groupID, ownerID: ownerID) else { throw HTTPError.notFound("No group with this id.") }
        guard group.isActive else {
            throw HTTPError.conflict("The group \"\(group.name)\" is inactive: set is_active to true to talk to it.")
        }
        let plan = try plan(group, text: content.text)
        let user = ChatMessage(id: ResourceID.make("msg"), ownerID: ownerID, agentID: nil, groupID: group.id, role: .user,
                               content: content, metadata: ["group_id": .string(group.id)],
                               createdAt: Timestamp.rfc3339(Date()))
        do {
            try messages.insert(user)
        } catch {
            releaseDelegation(plan, group)
            throw HTTPError.database(error)
        }
        groups.touch(groupID: group.id, ownerID: ownerID)
        events.messageReceived(user)
        stream?.open()
        stream?.messageStored(user)
        let routed = RoutedMessage(group: group, text: content.text, stream: stream)
        Task {
            var outcome = TurnRunner.Outcome(messages: [user])
            let answered = await run(plan, routed)
            outcome.absorb(answered)
            outcome.error = answered.error
            outcome.messages = messages.inStoreOrder(outcome.messages)
            finish(outcome)
        }
    }

    // MARK: Planning

    private func plan(_ group: GroupSnapshot, text: String) throws(HTTPError) -> Plan {
        do {
            switch group.pattern {
            case .roundRobin: return try roundRobin(group)
            case .dynamic:
                var random = SystemRandomNumberGenerator()
                let planner = try DynamicPlanner(group: group)
                let route = try planner.route(text, busy: turns.queue.busy(group.members.map(\.agentID)), using: &random)
                let members = route.members
                return members.count == 1 ? .one(members[0]) : .several(members)
            case .supervisor: return try supervisor(group, text: text)
            case .pipeline: return .pipeline(try PipelinePlanner(group: group))
            case .voting:
                let planner = try VotingPlanner(group: group)
                return .voting(planner, voters: try planner.voters())
            case .sleeptime: return .stored
            }
        } catch let error as CoordinationError {
            throw .conflict("The group \"\(group.name)\" cannot answer: \(error.description).")
        } catch let error as HTTPError {
            throw error
        } catch {
            throw HTTPError(status: 500, type: "internal_error", message: "The server failed to handle this request.")
        }
    }

    /// groups.v1 takes the turn and persists the next index in one transaction.
    private func roundRobin(_ group: GroupSnapshot) throws(HTTPError) -> Plan {
        guard let turn = try groups.advanceRoundRobin(groupID: group.id, ownerID: group.ownerID) else {
            throw .conflict("The group \"\(group.name)\" cannot answer: \(CoordinationError.noAvailableMember.description).")
        }
        guard turn.available else {
            throw .conflict("It is the turn of the agent \"\(turn.agentName)\" (\(turn.agentID)) in the group "
                            + "\"\(group.name)\", and it is suspended or its membership inactive "
                            + "(skip_unavailable is false).")
        }
        return .one(group.member(turn.agentID) ?? Member(agentID: turn.agentID, agentName: turn.agentName))
    }

    // MARK: Running

    private func run(_ plan: Plan, _ message: RoutedMessage) async -> TurnRunner.Outcome {
        switch plan {
        case .one(let member):
            return await turns.run(member, message.input(member), stream: message.stream) ?? TurnRunner.Outcome()
        case .several(let members):
            let end = messages.newest(.group(message.group.id))
            let outcomes = await turns.runConcurrently(members, input: { message.input($0, historyEnd: end) },
                                                       stream: message.stream)
            return Self.gathered(outcomes.compactMap { $0 })
        case .supervised(let leader, let delegate):
            return await supervised(leader: leader, delegate: delegate, message)
        case .pipeline(let planner):
            return await pipeline(planner, message)
        case .voting(let planner, let voters):
            return await vote(planner, voters: voters, message)
        case .stored:
            return TurnRunner.Outcome()
        }
    }

    /// Several members' outcomes as one: every message, the usage summed; failed only when
    /// no member answered (then with the first failure).
    static func gathered(_ outcomes: [TurnRunner.Outcome]) -> TurnRunner.Outcome {
        var total = TurnRunner.Outcome()
        for outcome in outcomes { total.absorb(outcome) }
        if !outcomes.contains(where: { $0.error == nil }) {
            total.error = outcomes.first { $0.error != nil }?.error
        }
        return total
    }
}
