import Testing
@testable import RateLimitBuckets

@Suite struct GCRATests {
    let second: Int64 = 1_000_000_000
    /// 600 per minute, burst 100: T = 100 ms, τ = 9.9 s.
    let standard = GCRA(quota: 600, windowNanoseconds: 60_000_000_000, burst: 100)

    @Test func parametersFollowQuotaWindowAndBurst() {
        #expect(standard.emissionInterval == 100_000_000)
        #expect(standard.tolerance == 99 * 100_000_000)
    }

    @Test func aFreshKeyAllowsTheWholeBurstThenDenies() {
        let now: Int64 = 1_000 * second
        var tat: Int64?
        for expected in stride(from: 99, through: 0, by: -1) {
            let decision = standard.charge(tat: tat, now: now)
            #expect(decision.allowed)
            #expect(decision.remaining == expected)
            tat = decision.tat
        }
        let denied = standard.charge(tat: tat, now: now)
        #expect(!denied.allowed)
        #expect(denied.remaining == 0)
        #expect(denied.retryAfter == 100_000_000)
        #expect(denied.tat == tat)
        #expect(GCRA.wholeSeconds(denied.retryAfter) == 1)
    }

    @Test func quotaReturnsAtTheSustainedRate() {
        let gcra = GCRA(quota: 10, windowNanoseconds: 60 * second, burst: 5)  // T = 6 s
        var tat: Int64?
        for _ in 0..<5 { tat = gcra.charge(tat: tat, now: 0).tat }
        #expect(!gcra.charge(tat: tat, now: 0).allowed)
        #expect(gcra.charge(tat: tat, now: 0).retryAfter == 6 * second)
        #expect(!gcra.charge(tat: tat, now: 6 * second - 1).allowed)
        let later = gcra.charge(tat: tat, now: 6 * second)
        #expect(later.allowed && later.remaining == 0)
    }

    @Test func nextUnitIsZeroOnlyWhenFullAndCountsDownOtherwise() {
        let gcra = GCRA(quota: 60, windowNanoseconds: 60 * second, burst: 1)  // T = 1 s
        let first = gcra.charge(tat: nil, now: 0)
        #expect(first.allowed && first.remaining == 0 && first.nextUnit == second)
        let single = GCRA(quota: 600, windowNanoseconds: 60 * second, burst: 100).charge(tat: nil, now: 0)
        #expect(single.remaining == 99 && single.nextUnit == 100_000_000)
    }

    @Test func anIdleKeyIsFullAgain() {
        let gcra = GCRA(quota: 10, windowNanoseconds: 60 * second, burst: 5)
        var tat: Int64?
        for _ in 0..<5 { tat = gcra.charge(tat: tat, now: 0).tat }
        #expect(GCRA.isIdle(tat: tat!, now: 30 * second))
        #expect(gcra.charge(tat: tat, now: 30 * second).remaining == 4)
    }

    @Test func delayDoesNotCharge() {
        let gcra = GCRA(quota: 5, windowNanoseconds: 300 * second, burst: 5)  // T = 60 s
        var tat: Int64?
        for _ in 0..<4 { tat = gcra.charge(tat: tat, now: 0).tat }
        #expect(gcra.delay(tat: tat, now: 0) == 0)
        tat = gcra.charge(tat: tat, now: 0).tat
        #expect(gcra.delay(tat: tat, now: 0) == 60 * second)
        #expect(gcra.delay(tat: tat, now: 60 * second) == 0)
        #expect(gcra.delay(tat: nil, now: 0) == 0)
    }

    @Test func wholeSecondsRoundUp() {
        #expect(GCRA.wholeSeconds(0) == 0)
        #expect(GCRA.wholeSeconds(-5) == 0)
        #expect(GCRA.wholeSeconds(1) == 1)
        #expect(GCRA.wholeSeconds(second) == 1)
        #expect(GCRA.wholeSeconds(second + 1) == 2)
    }

    @Test func extremeParametersDoNotOverflow() {
        let gcra = GCRA(quota: 1, windowNanoseconds: Int64.max / 2, burst: Int.max)
        let decision = gcra.charge(tat: nil, now: 0)
        #expect(decision.allowed)
        let zero = GCRA(quota: 0, windowNanoseconds: 0, burst: 0)
        #expect(zero.emissionInterval == 1 && zero.burst == 1)
    }
}
