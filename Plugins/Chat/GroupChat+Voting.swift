import Coordination
import Foundation
import PluginKit
import Synchronization

/// The voting pattern: every voter answers the user's message at once, each within
/// `voting_timeout` (a voter that fails or is late abstains; a late answer is still stored).
/// Each voter's answer is its stored reply; answers are compared by `VotingPlanner.tally`
/// (trimmed, lowercased, whitespace collapsed, opening quotes and trailing punctuation
/// stripped), ballots in the order they arrived. The result is one more stored message, role
/// `assistant` with `agent_id` null: the winning answer (in its first voter's words), or a
/// sentence saying there was no quorum / no decision — a vote without a winner is an answer,
/// not an HTTP error. Its `metadata.voting` is `{result: decided|no_quorum|no_decision,
/// winner, tie_broken, quorum, tallies: [{answer, weight, voters}]}`.
extension GroupChat {
    func vote(_ planner: VotingPlanner, voters: [Member], _ message: RoutedMessage) async -> TurnRunner.Outcome {
        let deadline = ContinuousClock.now + .milliseconds(planner.pattern.timeoutMilliseconds)
        let arrivals = ArrivalOrder()
        // Every voter reads the history up to the question: nobody sees another's vote.
        let end = messages.newest(.group(message.group.id))
        let outcomes = await turns.runConcurrently(voters, input: { message.input($0, historyEnd: end) }, stream: message.stream,
                                                   deadline: deadline, finished: { arrivals.note($0) })
        var total = TurnRunner.Outcome()
        var ballots: [Ballot] = []
        for index in arrivals.order {
            guard let outcome = outcomes[index] else { continue }
            total.absorb(outcome)
            let answer = outcome.error == nil ? outcome.reply?.content.text : nil
            ballots.append(Ballot(agentID: voters[index].agentID, answer: answer))
        }
        var random = SystemRandomNumberGenerator()
        let result = Self.result(planner.tally(ballots, question: message.text, using: &random), quorum: planner.pattern.quorum)
        let stored = ChatMessage(id: ResourceID.make("msg"), ownerID: message.group.ownerID, agentID: nil,
                                 groupID: message.group.id, role: .assistant, content: .text(result.text),
                                 metadata: ["group_id": .string(message.group.id), "voting": result.metadata],
                                 createdAt: Timestamp.rfc3339(Date()))
        do {
            try messages.insert(stored)
        } catch {
            total.error = .database(error)
            return total
        }
        events.messageReceived(stored)
        message.stream?.messageStored(stored)
        total.messages.append(stored)
        return total
    }

    private static func result(_ outcome: VotingOutcome, quorum: Int) -> (text: String, metadata: JSONValue) {
        func tallies(_ list: [Tally]) -> JSONValue {
            .array(list.map { ["answer": .string($0.answer), "weight": .integer(Int64($0.weight)),
                               "voters": .array($0.voters.map { .string($0) })] })
        }
        switch outcome {
        case .decided(let winner, let tieBroken):
            return (winner.answer, ["result": "decided", "winner": .string(winner.answer), "tie_broken": .bool(tieBroken),
                                    "quorum": .integer(Int64(quorum)), "tallies": tallies([winner])])
        case .noQuorum(let all):
            let best = all.map(\.weight).max() ?? 0
            return ("No answer reached the quorum of \(quorum) votes (the most any answer got was \(best)).",
                    ["result": "no_quorum", "winner": .null, "tie_broken": false, "quorum": .integer(Int64(quorum)),
                     "tallies": tallies(all)])
        case .noDecision(let tied):
            return ("The vote tied between \(tied.map { "\"\($0.answer)\"" }.joined(separator: " and ")), and the tie "
                    + "breaker made no decision.",
                    ["result": "no_decision", "winner": .null, "tie_broken": false, "quorum": .integer(Int64(quorum)),
                     "tallies": tallies(tied)])
        }
    }
}

/// The order in which concurrent turns finished (ballots count in arrival order).
final class ArrivalOrder: Sendable {
    private let indices = Mutex<[Int]>([])

    func note(_ index: Int) { indices.withLock { $0.append(index) } }

    var order: [Int] { indices.withLock { $0 } }
}
