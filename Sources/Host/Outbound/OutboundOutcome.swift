/// How a call ended, as on_complete reports it (the PATTERN_CLIENT_* codes of the header).
enum OutboundOutcome: Int32, Sendable {
    case ok = 0
    case refused = 100
    case dns = 101
    case connect = 102
    case tls = 103
    case timeout = 104
    case tooLarge = 105
    case `protocol` = 106
    case cancelled = 107
    case shutdown = 108
}

/// A call that ended early: the outcome and a one-line message for the log and the plugin
/// (never a header value, a query string or a body).
struct OutboundFailure: Error, Sendable, Equatable {
    let outcome: OutboundOutcome
    let message: String

    init(_ outcome: OutboundOutcome, _ message: String) {
        self.outcome = outcome
        self.message = message
    }
}
