import Glibc

/// The generic cell rate algorithm (GCRA): a token bucket that stores one number per key,
/// the theoretical arrival time (TAT). `quota` requests per `window`, at most `burst` at once.
/// Times are nanoseconds of a monotonic clock; all arithmetic is integer, never overflowing.
public struct GCRA: Sendable, Equatable {
    /// T: nanoseconds between requests at the sustained rate (window / quota).
    public let emissionInterval: Int64
    /// τ: how far ahead of `now` the TAT may run, T · (burst − 1).
    public let tolerance: Int64
    public let burst: Int

    /// `quota` ≥ 1 requests per `windowNanoseconds` ≥ 1; `burst` ≥ 1.
    public init(quota: Int, windowNanoseconds: Int64, burst: Int) {
        let quota = max(1, quota)
        let burst = max(1, burst)
        emissionInterval = max(1, windowNanoseconds / Int64(quota))
        let (product, overflow) = emissionInterval.multipliedReportingOverflow(by: Int64(burst - 1))
        tolerance = overflow ? Int64.max / 4 : min(product, Int64.max / 4)
        self.burst = burst
    }

    public struct Decision: Sendable, Equatable {
        public let allowed: Bool
        /// The TAT to store (unchanged when denied).
        public let tat: Int64
        /// Requests still allowed right now, after this one.
        public let remaining: Int
        /// Nanoseconds until the next request is allowed (0 when it is now); when denied,
        /// the Retry-After delay.
        public let retryAfter: Int64
        /// Nanoseconds until at least one more unit of quota arrives (0 when the bucket is full).
        public let nextUnit: Int64
    }

    /// Charges one request arriving at `now` against the stored TAT (nil for a new key).
    public func charge(tat stored: Int64?, now: Int64) -> Decision {
        let tat = max(stored ?? now, now)
        let allowAt = tat - tolerance
        if now < allowAt {
            return Decision(allowed: false, tat: stored ?? now, remaining: 0, retryAfter: allowAt - now,
                            nextUnit: allowAt - now)
        }
        let newTAT = tat + emissionInterval
        let credit = now + tolerance + emissionInterval - newTAT
        let remaining = Int(credit / emissionInterval)
        let retryAfter = max(0, newTAT - tolerance - now)
        let nextUnit = remaining >= burst ? 0 : emissionInterval - credit % emissionInterval
        return Decision(allowed: true, tat: newTAT, remaining: remaining, retryAfter: retryAfter, nextUnit: nextUnit)
    }

    /// Nanoseconds until a request would be allowed, without charging one.
    public func delay(tat stored: Int64?, now: Int64) -> Int64 {
        guard let stored else { return 0 }
        return max(0, stored - tolerance - now)
    }

    /// True when a key's bucket is full again (its TAT has passed): it can be forgotten.
    public static func isIdle(tat: Int64, now: Int64) -> Bool { tat <= now }

    /// Nanoseconds of the monotonic clock: the time GCRA works in.
    public static func now() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec)
    }

    /// Nanoseconds rounded up to whole seconds (for Retry-After and `t=`).
    public static func wholeSeconds(_ nanoseconds: Int64) -> Int64 {
        nanoseconds <= 0 ? 0 : (nanoseconds + 999_999_999) / 1_000_000_000
    }
}
