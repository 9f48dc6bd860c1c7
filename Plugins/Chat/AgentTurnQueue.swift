import Synchronization

/// One turn at a time per agent, in arrival order: a turn submitted while the agent works
/// waits in the agent's lane, at most `maxWaiting` of them. Lanes exist only while an agent
/// has work, and at most `maxLanes` agents may have work at once, so the table is bounded.
/// Nothing waits on a thread: a finished turn starts the next one.
final class AgentTurnQueue: Sendable {
    typealias Turn = @Sendable () async -> Void

    let maxWaiting: Int
    let maxLanes: Int

    /// The turns waiting behind the running one (at most `maxWaiting`: taking the first is cheap).
    private struct Lane {
        var waiting: [Turn] = []
    }

    private let lanes = Mutex<[String: Lane]>([:])

    init(maxWaiting: Int, maxLanes: Int = 100_000) {
        self.maxWaiting = maxWaiting
        self.maxLanes = maxLanes
    }

    /// Starts `turn` now when the agent is idle, or queues it; false (nothing happens) when
    /// the agent's lane, or the table of lanes, is full.
    func submit(agentID: String, _ turn: @escaping Turn) -> Bool {
        enum Decision { case start, queued, refused }
        let decision: Decision = lanes.withLock { lanes in
            if var lane = lanes[agentID] {
                guard lane.waiting.count < maxWaiting else { return .refused }
                lane.waiting.append(turn)
                lanes[agentID] = lane
                return .queued
            }
            guard lanes.count < maxLanes else { return .refused }
            lanes[agentID] = Lane()
            return .start
        }
        if decision == .start { start(agentID, turn) }
        return decision != .refused
    }

    /// Turns running or waiting per agent of `agentIDs` (absent: idle), for the least-busy
    /// choices of group routing.
    func busy(_ agentIDs: [String]) -> [String: Int] {
        lanes.withLock { lanes in
            var counts: [String: Int] = [:]
            for id in agentIDs { if let lane = lanes[id] { counts[id] = 1 + lane.waiting.count } }
            return counts
        }
    }

    private func start(_ agentID: String, _ turn: @escaping Turn) {
        Task {
            await turn()
            self.finished(agentID)
        }
    }

    private func finished(_ agentID: String) {
        let next: Turn? = lanes.withLock { lanes in
            guard var lane = lanes[agentID], !lane.waiting.isEmpty else {
                lanes[agentID] = nil
                return nil
            }
            let turn = lane.waiting.removeFirst()
            lanes[agentID] = lane
            return turn
        }
        if let next { start(agentID, next) }
    }
}

extension AgentTurnQueue {
    /// Runs `turn` in the agent's lane and answers its result once it has run, or nil at
    /// once when the lane is full: for a coordinator that awaits each member's turn (its
    /// place in the lane is taken when this is called).
    func run<Result: Sendable>(agentID: String, _ turn: @escaping @Sendable () async -> Result) async -> Result? {
        await withCheckedContinuation { (continuation: CheckedContinuation<Result?, Never>) in
            let accepted = submit(agentID: agentID) { continuation.resume(returning: await turn()) }
            if !accepted { continuation.resume(returning: nil) }
        }
    }
}
