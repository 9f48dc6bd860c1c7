import Foundation

/// When to try a model call again: 408, 429, 529 and 5xx answers and failed connections, at
/// most `maxAttempts` times in all, after an exponential backoff with jitter — or exactly as
/// long as the provider asked (`retry-after-ms`, `Retry-After` in seconds or as an HTTP date).
/// The caller also stops once the call's own time is up.
enum RetryPolicy {
    static let maxAttempts = 4
    static let baseDelayMilliseconds = 500.0
    static let maxDelayMilliseconds = 20_000.0

    static func isRetryable(status: Int) -> Bool {
        status == 408 || status == 429 || status == 529 || (500...599).contains(status)
    }

    /// The wait before attempt `attempt + 1` (attempt counts from 1).
    static func delayMilliseconds(afterAttempt attempt: Int, headers: [(name: String, value: String)],
                                  now: Date = Date()) -> UInt64 {
        if let asked = requestedDelay(headers, now: now) { return asked }
        let exponential = min(maxDelayMilliseconds, baseDelayMilliseconds * pow(2, Double(attempt - 1)))
        // "Equal jitter": half fixed, half random, so retries of many calls spread out.
        return UInt64(exponential / 2 + Double.random(in: 0...(exponential / 2)))
    }

    /// What the provider asked for, in milliseconds.
    static func requestedDelay(_ headers: [(name: String, value: String)], now: Date) -> UInt64? {
        func header(_ name: String) -> String? {
            headers.first { $0.name.lowercased() == name }?.value.trimmingCharacters(in: .whitespaces)
        }
        if let text = header("retry-after-ms"), let milliseconds = Double(text), milliseconds >= 0 {
            return UInt64(min(milliseconds, 86_400_000))
        }
        guard let text = header("retry-after") else { return nil }
        if let seconds = Double(text), seconds >= 0 { return UInt64(min(seconds, 86_400) * 1000) }
        guard let date = httpDate.date(from: text) else { return nil }
        return UInt64(max(0, date.timeIntervalSince(now)) * 1000)
    }

    private static let httpDate: DateFormatter = {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return formatter
    }()
}
