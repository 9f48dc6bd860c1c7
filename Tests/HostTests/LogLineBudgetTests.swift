import Testing

@testable import Host

@Suite struct LogLineBudgetTests {
    @Test func aBurstThenTheRateWithDropsCounted() {
        var budget = LogLineBudget(burst: 3, perSecond: 10, now: 1000)
        let burst = (0..<5).map { _ in budget.admit(now: 1000) }
        #expect(burst == [true, true, true, false, false])
        let early = budget.admit(now: 1099)  // 0.99 of a line refilled
        let onTime = budget.admit(now: 1100)
        #expect(!early && onTime)
        let dropped = (budget.takeDropped(), budget.takeDropped())
        #expect(dropped == (3, 0))
        // A long silence refills the burst, never more.
        let refilled = (0..<4).map { _ in budget.admit(now: 1_000_000) }
        #expect(refilled == [true, true, true, false])
        #expect(budget.dropped == 1)
    }
}
