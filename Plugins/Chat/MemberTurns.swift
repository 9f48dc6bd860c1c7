import Coordination
import PluginKit
import Synchronization

/// Group members' turns for a coordinator: each in the member's lane of `AgentTurnQueue` (so
/// one turn at a time per agent, and the lane's bound, hold for group messages too), framed
/// by `agent_started` / `agent_completed` on the group's SSE stream, optionally with a
/// deadline. A turn past its deadline is reported as timed out and left to finish: its
/// messages are still stored (a model call is not cancelled halfway).
struct MemberTurns: Sendable {
    let runner: TurnRunner
    let queue: AgentTurnQueue

    /// One member's turn on `input`; nil when `deadline` passed first.
    func run(_ member: Member, _ input: TurnRunner.Input, stream: EventStream?,
             deadline: ContinuousClock.Instant? = nil) async -> TurnRunner.Outcome? {
        let runner = runner
        let queue = queue
        let turn: @Sendable () async -> TurnRunner.Outcome = {
            let ran = await queue.run(agentID: member.agentID) {
                stream?.agentStarted(agentID: member.agentID, agentName: member.agentName)
                let outcome = await runner.run(input, sink: stream)
                stream?.agentCompleted(agentID: member.agentID, messageID: outcome.reply?.id ?? outcome.messages.last?.id ?? "")
                return outcome
            }
            return ran ?? TurnRunner.Outcome(error: HTTPError(
                status: 429, type: "rate_limit",
                message: "Too many messages are waiting for the agent \(member.agentName) (at most \(queue.maxWaiting)); "
                    + "retry shortly.",
                headers: [HTTPError.Header("Retry-After", String(MessageDelivery.retryAfterSeconds))]))
        }
        guard let deadline else { return await turn() }
        return await Self.race(until: deadline, turn)
    }

    /// Several members' turns at once; the outcomes in `members`' order (nil: timed out).
    /// `finished` hears each member's position as its turn ends (or times out).
    func runConcurrently(_ members: [Member], input: (Member) -> TurnRunner.Input, stream: EventStream?,
                         deadline: ContinuousClock.Instant? = nil,
                         finished: @escaping @Sendable (Int) -> Void = { _ in }) async -> [TurnRunner.Outcome?] {
        await withTaskGroup(of: (Int, TurnRunner.Outcome?).self) { group in
            for (index, member) in members.enumerated() {
                let memberInput = input(member)
                group.addTask {
                    let outcome = await run(member, memberInput, stream: stream, deadline: deadline)
                    finished(index)
                    return (index, outcome)
                }
            }
            var outcomes = [TurnRunner.Outcome?](repeating: nil, count: members.count)
            for await (index, outcome) in group { outcomes[index] = outcome }
            return outcomes
        }
    }

    /// `body`'s result, or nil when `deadline` comes first (`body` then runs on, unawaited).
    static func race<T: Sendable>(until deadline: ContinuousClock.Instant, _ body: @escaping @Sendable () async -> T) async -> T? {
        await withCheckedContinuation { (continuation: CheckedContinuation<T?, Never>) in
            let once = Once()
            let timer = Task {
                guard (try? await Task.sleep(until: deadline, clock: .continuous)) != nil else { return }
                if once.claim() { continuation.resume(returning: nil) }
            }
            Task {
                let result = await body()
                if once.claim() {
                    timer.cancel()
                    continuation.resume(returning: result)
                }
            }
        }
    }

    /// The first of several racers to claim wins.
    private final class Once: Sendable {
        private let claimed = Mutex(false)

        func claim() -> Bool {
            claimed.withLock { claimed in
                defer { claimed = true }
                return !claimed
            }
        }
    }
}

extension TurnRunner.Outcome {
    init(error: HTTPError) {
        self.init()
        self.error = error
    }

    /// The agent's last stored reply (its answer to the group), if any.
    var reply: ChatMessage? {
        messages.last { $0.role == .assistant && $0.toolCalls == nil }
    }

    /// Adds `other`'s messages after these and sums the usage (a group answer gathers its
    /// members' turns).
    mutating func absorb(_ other: TurnRunner.Outcome) {
        messages += other.messages
        guard let usage = other.usage else { return }
        var total = self.usage ?? TurnRunner.Usage()
        total.input += usage.input
        total.output += usage.output
        total.model = usage.model
        self.usage = total
    }
}
