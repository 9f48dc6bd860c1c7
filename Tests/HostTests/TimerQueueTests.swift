import Testing

@testable import Host

extension TimerQueue {
    /// Runs every action due by `now` the way the event loop does (for actions that leave the
    /// queue alone; the loop holds no access to it while an action runs).
    mutating func runDue(now: UInt64) {
        let scheduled = lastToken
        while let action = popDue(now: now, through: scheduled) { action() }
    }
}

@Suite struct TimerQueueTests {
    @Test func firesInDeadlineOrderAndOnlyWhenDue() {
        var queue = TimerQueue()
        var fired: [Int] = []
        for (due, label) in [(30, 3), (10, 1), (20, 2), (10, 11)] {
            _ = queue.schedule(at: UInt64(due)) { fired.append(label) }
        }
        #expect(queue.wait(now: 0, limit: 500) == 10)
        queue.runDue(now: 9)
        #expect(fired.isEmpty)
        queue.runDue(now: 20)
        #expect(fired.sorted() == [1, 2, 11] && fired.last == 2)
        #expect(queue.wait(now: 20, limit: 500) == 10)
        #expect(queue.wait(now: 40, limit: 500) == 0)
    }

    @Test func cancelledTimersNeverFireAndDoNotPileUp() {
        var queue = TimerQueue()
        var fired = 0
        let keep = queue.schedule(at: 1_000_000) { fired += 1 }
        for index in 0..<10_000 {
            let token = queue.schedule(at: UInt64(500_000 + index)) { fired += 100 }
            queue.cancel(token)
        }
        #expect(queue.count == 1)
        #expect(queue.wait(now: 0, limit: 500) == 500)
        queue.runDue(now: 999_999)
        #expect(fired == 0)
        queue.runDue(now: 1_000_000)
        #expect(fired == 1)
        queue.cancel(keep)
        #expect(queue.wait(now: 0, limit: 250) == 250)
    }

    /// Two timers due in the same turn: the first one's action cancels the second, which must
    /// not run (its owner may be gone: the outbound client's total and phase timeouts).
    @Test func aTimerCancelledByAnotherDueInTheSameTurnDoesNotRun() {
        final class Box { var queue = TimerQueue(); var fired: [String] = []; var second: TimerQueue.Token = 0 }
        let box = Box()
        _ = box.queue.schedule(at: 100) { box.fired.append("first"); box.queue.cancel(box.second) }
        box.second = box.queue.schedule(at: 100) { box.fired.append("second") }
        let scheduled = box.queue.lastToken
        while let action = box.queue.popDue(now: 100, through: scheduled) { action() }
        #expect(box.fired == ["first"])
    }

    /// A timer an action schedules for right now waits for the next turn: a loop turn ends.
    @Test func timersScheduledByAnActionWaitForTheNextTurn() {
        final class Box { var queue = TimerQueue(); var runs = 0 }
        let box = Box()
        func again() { box.runs += 1; _ = box.queue.schedule(at: 0) { again() } }
        _ = box.queue.schedule(at: 0) { again() }
        for turn in 1...2 {
            let scheduled = box.queue.lastToken
            while let action = box.queue.popDue(now: 5, through: scheduled) { action() }
            #expect(box.runs == turn)
        }
    }
}
