import PatternCrypto
import PluginKit

/// Who may read GET /metrics (`[metrics] access`): anyone, loopback clients only (the
/// default: a scraper on the same host or a sidecar), or bearers of a token, compared in
/// constant time. The client address is the socket's, never a forwarded header.
enum ScrapeAccess: Sendable, Equatable {
    case open
    case loopback
    case token([UInt8])

    /// nil when the request may scrape, else the error to answer.
    func refusal(_ request: Request) -> HTTPError? {
        switch self {
        case .open:
            return nil
        case .loopback:
            return Self.isLoopback(request.clientIP) ? nil
                : HTTPError(status: 403, type: "forbidden", message: "Metrics are served to loopback clients only.")
        case .token(let expected):
            let header = request.header("authorization") ?? ""
            let prefix = "bearer "
            let presented = header.lowercased().hasPrefix(prefix) ? Array(header.utf8.dropFirst(prefix.utf8.count)) : []
            return !presented.isEmpty && Crypto.constantTimeEquals(presented, expected) ? nil
                : HTTPError(status: 401, type: "unauthorized", message: "A valid metrics bearer token is required.")
        }
    }

    /// 127.0.0.0/8, ::1 and IPv4-mapped loopback.
    static func isLoopback(_ address: String) -> Bool {
        var text = Substring(address)
        if text.hasPrefix("::ffff:") { text = text.dropFirst(7) }
        return text == "::1" || text.hasPrefix("127.")
    }
}
