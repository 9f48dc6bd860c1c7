import PluginKit

/// Which browser origins may call /mcp (the transport's DNS-rebinding defence): a request
/// without `Origin` (an SDK or CLI client) is fine; one with it must come from the server's
/// own host (the origin's host[:port] is the request's `Host`) or from an origin listed in
/// `[cors] allowed_origins`. A CORS wildcard does not count: it would switch the defence off.
struct OriginPolicy: Sendable {
    let allowedOrigins: Set<String>

    init(host: PluginHost) {
        let listed = host.setting("cors.allowed_origins").flatMap { JSONValue(parsing: $0)?.arrayValue } ?? []
        allowedOrigins = Set(listed.compactMap(\.stringValue).filter { $0 != "*" }.map { $0.lowercased() })
    }

    func allows(origin: String?, host: String?) -> Bool {
        guard let origin else { return true }
        let normalized = origin.lowercased()
        if allowedOrigins.contains(normalized) { return true }
        guard let host, let schemeEnd = normalized.range(of: "://") else { return false }
        let authority = normalized[schemeEnd.upperBound...]
        guard ["http", "https"].contains(normalized[..<schemeEnd.lowerBound]), !authority.contains("/") else { return false }
        return authority == host.lowercased()
    }
}
