import Foundation

extension Timestamp {
    /// `date` in RFC 3339, to the millisecond (rounding down).
    public static func rfc3339(_ date: Date) -> String {
        rfc3339(milliseconds: Int64((date.timeIntervalSince1970 * 1000).rounded(.down)))
    }
}
