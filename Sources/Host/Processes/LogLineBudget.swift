/// How many lines one source may write to the host log: a token bucket of `burst` lines that
/// refills at `perSecond`. Lines beyond it are dropped and counted, so the log can say how
/// many were lost instead of carrying them.
struct LogLineBudget {
    let burst: Int
    let perSecond: Int
    /// Lines available, in thousandths (refilled per millisecond without rounding away).
    private var milliTokens: Int
    private var refilledAt: UInt64
    /// Lines dropped since `takeDropped` last reported them.
    private(set) var dropped = 0

    init(burst: Int, perSecond: Int, now: UInt64) {
        self.burst = burst
        self.perSecond = perSecond
        milliTokens = burst * 1000
        refilledAt = now
    }

    /// Whether a line may be logged at `now` (monotonic milliseconds); counts it as dropped if not.
    mutating func admit(now: UInt64) -> Bool {
        if now > refilledAt {
            let elapsed = Int(min(now - refilledAt, UInt64(burst) * 1000))
            milliTokens = min(burst * 1000, milliTokens + elapsed * perSecond)
            refilledAt = now
        }
        guard milliTokens >= 1000 else {
            dropped += 1
            return false
        }
        milliTokens -= 1000
        return true
    }

    /// The lines dropped since the last call, and starts counting again.
    mutating func takeDropped() -> Int {
        defer { dropped = 0 }
        return dropped
    }
}
