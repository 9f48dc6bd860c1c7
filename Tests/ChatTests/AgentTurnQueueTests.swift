import Synchronization
import Testing
@testable import Chat

/// The per-agent turn queue: arrival order, and both of its bounds (waiting turns per agent,
/// agents with work at once).
@Suite struct AgentTurnQueueTests {
    /// A turn that waits until `gate` opens, then records its number.
    private final class Gate: Sendable {
        private let open = Mutex(false)
        func release() { open.withLock { $0 = true } }
        func wait() async { while !open.withLock({ $0 }) { try? await Task.sleep(for: .milliseconds(1)) } }
    }

    @Test func turnsOfOneAgentRunOneAtATimeInArrivalOrder() async {
        let queue = AgentTurnQueue(maxWaiting: 16)
        let gate = Gate()
        let order = Mutex<[Int]>([])
        let running = Mutex(0)
        let overlapped = Mutex(false)
        for index in 0..<10 {
            #expect(queue.submit(agentID: "a") {
                if running.withLock({ $0 += 1; return $0 }) > 1 { overlapped.withLock { $0 = true } }
                if index == 0 { await gate.wait() }
                order.withLock { $0.append(index) }
                running.withLock { $0 -= 1 }
            })
        }
        gate.release()
        while order.withLock({ $0.count }) < 10 { try? await Task.sleep(for: .milliseconds(1)) }
        #expect(order.withLock { $0 } == Array(0..<10))
        #expect(!overlapped.withLock { $0 })
    }

    @Test func beyondMaxWaitingASubmitIsRefusedAndOtherAgentsAreNot() async {
        let queue = AgentTurnQueue(maxWaiting: 2)
        let gate = Gate()
        #expect(queue.submit(agentID: "a") { await gate.wait() })  // running
        #expect(queue.submit(agentID: "a") {})
        #expect(queue.submit(agentID: "a") {})
        #expect(!queue.submit(agentID: "a") {})  // the 4th: one running, two waiting
        #expect(queue.busy(["a", "b"]) == ["a": 3])
        #expect(queue.submit(agentID: "b") {})
        gate.release()
        while !queue.busy(["a"]).isEmpty { try? await Task.sleep(for: .milliseconds(1)) }
        #expect(queue.submit(agentID: "a") {})  // the lane was freed
    }

    @Test func atMostMaxLanesAgentsHaveWorkAtOnce() async {
        let queue = AgentTurnQueue(maxWaiting: 16, maxLanes: 2)
        let gate = Gate()
        #expect(queue.submit(agentID: "a") { await gate.wait() })
        #expect(queue.submit(agentID: "b") { await gate.wait() })
        #expect(!queue.submit(agentID: "c") {})
        #expect(queue.submit(agentID: "a") {})  // an agent with a lane may still queue
        gate.release()
        while !queue.busy(["a", "b"]).isEmpty { try? await Task.sleep(for: .milliseconds(1)) }
        #expect(queue.submit(agentID: "c") {})
    }
}

@Suite struct DelegationLedgerTests {
    @Test func countsWhatEachMemberHoldsAndTheRotation() {
        let ledger = DelegationLedger()
        ledger.take(groupID: "g", agentID: "x")
        ledger.take(groupID: "g", agentID: "x")
        ledger.take(groupID: "g", agentID: "y")
        ledger.release(groupID: "g", agentID: "x")
        let state = ledger.state(groupID: "g")
        #expect(state.holding == ["x": 1, "y": 1])
        #expect(state.rotation == 3)
    }

    @Test func pastMaxGroupsIdleGroupsAreForgottenAndBusyOnesKept() {
        let ledger = DelegationLedger(maxGroups: 2)
        ledger.take(groupID: "idle", agentID: "x")
        ledger.release(groupID: "idle", agentID: "x")
        ledger.take(groupID: "busy", agentID: "x")
        ledger.take(groupID: "new", agentID: "y")  // full: "idle" goes
        #expect(ledger.state(groupID: "idle").rotation == 0)
        #expect(ledger.state(groupID: "busy").holding == ["x": 1])
        #expect(ledger.state(groupID: "new").holding == ["y": 1])
        ledger.take(groupID: "another", agentID: "z")  // full of busy groups: not tracked
        #expect(ledger.state(groupID: "another").holding.isEmpty)
    }
}
