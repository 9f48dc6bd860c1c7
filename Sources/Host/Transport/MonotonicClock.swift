import Glibc

/// Monotonic time for timeouts and durations (never jumps with the wall clock).
enum MonotonicClock {
    static func nanoseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }

    static func milliseconds() -> UInt64 { nanoseconds() / 1_000_000 }
}
