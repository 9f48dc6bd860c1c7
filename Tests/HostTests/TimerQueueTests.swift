import Testing

@testable import Host

@Suite struct TimerQueueTests {
    @Test func firesInDeadlineOrderAndOnlyWhenDue() {
        var queue = TimerQueue()
        var fired: [Int] = []
        for (due, label) in [(30, 3), (10, 1), (20, 2), (10, 11)] {
            _ = queue.schedule(at: UInt64(due)) { fired.append(label) }
        }
        #expect(queue.wait(now: 0, limit: 500) == 10)
        while let action = queue.nextDue(now: 9) { action() }
        #expect(fired.isEmpty)
        while let action = queue.nextDue(now: 20) { action() }
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
        while let action = queue.nextDue(now: 999_999) { action() }
        #expect(fired == 0)
        while let action = queue.nextDue(now: 1_000_000) { action() }
        #expect(fired == 1)
        queue.cancel(keep)
        #expect(queue.wait(now: 0, limit: 250) == 250)
    }

    @Test func aTimerCancelledByAnEarlierOneDueTogetherNeverRuns() {
        var queue = TimerQueue()
        var fired: [String] = []
        var second: TimerQueue.Token = 0
        _ = queue.schedule(at: 10) { fired.append("first") }
        second = queue.schedule(at: 10) { fired.append("second") }
        // Run as the loop does: the first action cancels the second, due at the same moment.
        while let action = queue.nextDue(now: 10) {
            action()
            queue.cancel(second)
        }
        #expect(fired == ["first"])
    }
}
