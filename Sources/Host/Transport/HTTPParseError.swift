/// Why a request could not be accepted, as the status line and body the server should answer with
/// before closing the connection.
///
/// `reason` is a fixed, human-readable phrase chosen by the parser. It never quotes request bytes,
/// so it is safe to send back and to log without escaping.
struct HTTPParseError: Error, Sendable, Equatable {
    /// 400, 413, 417, 431, 501 or 505.
    var status: Int
    var reason: String

    static func badRequest(_ reason: String) -> HTTPParseError {
        HTTPParseError(status: 400, reason: reason)
    }

    static func contentTooLarge(_ reason: String) -> HTTPParseError {
        HTTPParseError(status: 413, reason: reason)
    }

    static func expectationFailed(_ reason: String) -> HTTPParseError {
        HTTPParseError(status: 417, reason: reason)
    }

    static func headerFieldsTooLarge(_ reason: String) -> HTTPParseError {
        HTTPParseError(status: 431, reason: reason)
    }

    static func notImplemented(_ reason: String) -> HTTPParseError {
        HTTPParseError(status: 501, reason: reason)
    }

    static func versionNotSupported(_ reason: String) -> HTTPParseError {
        HTTPParseError(status: 505, reason: reason)
    }
}
