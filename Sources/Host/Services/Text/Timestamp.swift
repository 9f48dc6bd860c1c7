import Glibc

/// Wall-clock timestamps formatted by hand: these run for every request (access log, error
/// bodies, the Date header), where Foundation's formatters would dominate the cost.
enum Timestamp {
    /// Current wall-clock time.
    static func now() -> timespec {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return ts
    }

    /// RFC 3339 UTC with milliseconds, e.g. `2026-11-26T17:12:32.123Z` (API.md).
    static func rfc3339(_ ts: timespec = now()) -> String {
        let parts = utc(ts.tv_sec)
        var out = [UInt8]()
        out.reserveCapacity(24)
        appendDigits(Int(parts.tm_year) + 1900, width: 4, to: &out)
        out.append(UInt8(ascii: "-"))
        appendDigits(Int(parts.tm_mon) + 1, width: 2, to: &out)
        out.append(UInt8(ascii: "-"))
        appendDigits(Int(parts.tm_mday), width: 2, to: &out)
        out.append(UInt8(ascii: "T"))
        appendClock(parts, to: &out)
        out.append(UInt8(ascii: "."))
        appendDigits(ts.tv_nsec / 1_000_000, width: 3, to: &out)
        out.append(UInt8(ascii: "Z"))
        return String(decoding: out, as: UTF8.self)
    }

    /// IMF-fixdate for the HTTP `Date` header, e.g. `Sun, 06 Nov 1994 08:49:37 GMT`.
    static func httpDate(epochSeconds: Int) -> [UInt8] {
        let parts = utc(epochSeconds)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        var out = Array("\(days[Int(parts.tm_wday)]), ".utf8)
        appendDigits(Int(parts.tm_mday), width: 2, to: &out)
        out.append(contentsOf: " \(months[Int(parts.tm_mon)]) ".utf8)
        appendDigits(Int(parts.tm_year) + 1900, width: 4, to: &out)
        out.append(UInt8(ascii: " "))
        appendClock(parts, to: &out)
        out.append(contentsOf: " GMT".utf8)
        return out
    }

    private static func utc(_ epochSeconds: Int) -> tm {
        var seconds = epochSeconds
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return parts
    }

    /// `HH:MM:SS`.
    private static func appendClock(_ parts: tm, to out: inout [UInt8]) {
        appendDigits(Int(parts.tm_hour), width: 2, to: &out)
        out.append(UInt8(ascii: ":"))
        appendDigits(Int(parts.tm_min), width: 2, to: &out)
        out.append(UInt8(ascii: ":"))
        appendDigits(Int(parts.tm_sec), width: 2, to: &out)
    }

    private static func appendDigits(_ value: Int, width: Int, to out: inout [UInt8]) {
        var divisor = 1
        for _ in 1..<width { divisor *= 10 }
        var rest = value
        while divisor > 0 {
            out.append(UInt8(ascii: "0") + UInt8((rest / divisor) % 10))
            rest %= divisor
            divisor /= 10
        }
    }
}
