import Glibc

/// Wall-clock timestamps, written by hand: they are formatted for every request (access log,
/// error bodies, the `Date` header, stored rows), where Foundation's formatters would dominate
/// the cost. The API's form (API.md) is RFC 3339 in UTC with milliseconds,
/// `2026-11-26T17:12:32.123Z`; times are Unix milliseconds.
public enum Timestamp {
    /// The current wall-clock time in Unix milliseconds.
    public static func nowMilliseconds() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Int64(now.tv_sec) * 1000 + Int64(now.tv_nsec / 1_000_000)
    }

    /// The current time in RFC 3339.
    public static func rfc3339() -> String {
        rfc3339(milliseconds: nowMilliseconds())
    }

    /// Unix milliseconds in RFC 3339 (24 bytes).
    public static func rfc3339(milliseconds: Int64) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(24)
        appendRFC3339(milliseconds: milliseconds, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends Unix milliseconds in RFC 3339, without quotes.
    public static func appendRFC3339(milliseconds: Int64, to out: inout [UInt8]) {
        let seconds = floorDivide(milliseconds, by: 1000)
        let parts = utc(Int(seconds))
        DecimalText.append(Int(parts.tm_year) + 1900, zeroPaddedTo: 4, to: &out)
        out.append(UInt8(ascii: "-"))
        DecimalText.append(Int(parts.tm_mon) + 1, zeroPaddedTo: 2, to: &out)
        out.append(UInt8(ascii: "-"))
        DecimalText.append(Int(parts.tm_mday), zeroPaddedTo: 2, to: &out)
        out.append(UInt8(ascii: "T"))
        appendClock(parts, to: &out)
        out.append(UInt8(ascii: "."))
        DecimalText.append(Int(milliseconds - seconds * 1000), zeroPaddedTo: 3, to: &out)
        out.append(UInt8(ascii: "Z"))
    }

    /// IMF-fixdate for the HTTP `Date` header, e.g. `Sun, 06 Nov 1994 08:49:37 GMT`.
    public static func httpDate(epochSeconds: Int) -> [UInt8] {
        let parts = utc(epochSeconds)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        var out = Array("\(days[Int(parts.tm_wday)]), ".utf8)
        DecimalText.append(Int(parts.tm_mday), zeroPaddedTo: 2, to: &out)
        out.append(contentsOf: " \(months[Int(parts.tm_mon)]) ".utf8)
        DecimalText.append(Int(parts.tm_year) + 1900, zeroPaddedTo: 4, to: &out)
        out.append(UInt8(ascii: " "))
        appendClock(parts, to: &out)
        out.append(contentsOf: " GMT".utf8)
        return out
    }

    /// Unix milliseconds of an RFC 3339 date-time (`Z` or a numeric offset, fractional seconds
    /// optional, digits past the millisecond ignored); nil when the text is not one.
    public static func parse(_ text: String) -> Int64? {
        let bytes = Array(text.utf8)
        func number(_ range: Range<Int>) -> Int? {
            guard range.upperBound <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[range] {
                guard isDigit(byte) else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            return value
        }
        guard bytes.count >= 20, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
              bytes[10] == UInt8(ascii: "T") || bytes[10] == UInt8(ascii: "t"),
              bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"),
              let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
              let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19),
              (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }
        var index = 19
        var millis = 0
        if bytes[index] == UInt8(ascii: ".") {
            index += 1
            let start = index
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
            guard index > start else { return nil }
            let digits = bytes[start..<min(index, start + 3)]
            for byte in digits { millis = millis * 10 + Int(byte - UInt8(ascii: "0")) }
            for _ in digits.count..<3 { millis *= 10 }
        }
        guard index < bytes.count else { return nil }
        var offsetSeconds = 0
        switch bytes[index] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            guard index + 1 == bytes.count else { return nil }
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            guard index + 6 == bytes.count, bytes[index + 3] == UInt8(ascii: ":"),
                  let hours = number(index + 1..<index + 3), let minutes = number(index + 4..<index + 6),
                  hours < 24, minutes < 60
            else { return nil }
            offsetSeconds = (hours * 3600 + minutes * 60) * (bytes[index] == UInt8(ascii: "+") ? 1 : -1)
        default:
            return nil
        }
        var parts = tm()
        parts.tm_year = Int32(year - 1900)
        parts.tm_mon = Int32(month - 1)
        parts.tm_mday = Int32(day)
        parts.tm_hour = Int32(hour)
        parts.tm_min = Int32(minute)
        parts.tm_sec = Int32(min(second, 59))
        let seconds = timegm(&parts)
        // timegm normalises impossible dates (Feb 30): refuse them instead.
        guard parts.tm_mday == Int32(day), parts.tm_mon == Int32(month - 1) else { return nil }
        return (Int64(seconds) - Int64(offsetSeconds)) * 1000 + Int64(millis)
    }

    private static func utc(_ epochSeconds: Int) -> tm {
        var seconds = epochSeconds
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return parts
    }

    /// `HH:MM:SS`.
    private static func appendClock(_ parts: tm, to out: inout [UInt8]) {
        DecimalText.append(Int(parts.tm_hour), zeroPaddedTo: 2, to: &out)
        out.append(UInt8(ascii: ":"))
        DecimalText.append(Int(parts.tm_min), zeroPaddedTo: 2, to: &out)
        out.append(UInt8(ascii: ":"))
        DecimalText.append(Int(parts.tm_sec), zeroPaddedTo: 2, to: &out)
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    /// Division rounding toward negative infinity, so times before 1970 keep their milliseconds positive.
    private static func floorDivide(_ value: Int64, by divisor: Int64) -> Int64 {
        let quotient = value / divisor
        return value % divisor != 0 && (value < 0) != (divisor < 0) ? quotient - 1 : quotient
    }
}
