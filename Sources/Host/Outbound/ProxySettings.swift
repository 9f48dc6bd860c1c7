/// The proxies the environment names for outbound traffic, as curl reads them: `HTTPS_PROXY`
/// (or `https_proxy`) for https URLs, `http_proxy` for http URLs (lowercase only: CGI servers
/// set `HTTP_PROXY` from a request's Proxy header), and `NO_PROXY` / `no_proxy` exceptions
/// (`*`, host names matching themselves and their subdomains, IP addresses and CIDR ranges).
/// Both kinds tunnel with CONNECT, so TLS stays end to end.
struct ProxySettings: Sendable, Equatable {
    var https: OutboundURL?
    var http: OutboundURL?
    var bypassAll = false
    var bypassNames: [String] = []
    var bypassNetworks: [IPNetwork] = []

    init() {}

    /// Reads the environment; `problems` gets a line for each proxy URL that cannot be used.
    init(environment: [String: String], problems: inout [String]) {
        func proxy(_ names: [String]) -> OutboundURL? {
            guard let name = names.first(where: { environment[$0]?.isEmpty == false }), let text = environment[name] else {
                return nil
            }
            let withScheme = text.contains("://") ? text : "http://" + text
            guard let url = try? OutboundURL(withScheme), url.scheme == .http else {
                problems.append("\(name) is not an http://host:port proxy URL (without credentials); it is ignored")
                return nil
            }
            return url
        }
        https = proxy(["HTTPS_PROXY", "https_proxy"])
        http = proxy(["http_proxy"])
        let exceptions = environment["NO_PROXY"] ?? environment["no_proxy"] ?? ""
        for entry in exceptions.split(separator: ",").map({ $0.trimmingSpaces.lowercased() }) where !entry.isEmpty {
            if entry == "*" {
                bypassAll = true
            } else if let network = IPNetwork(entry) {
                bypassNetworks.append(network)
            } else {
                var name = Substring(entry)
                if name.hasPrefix("*") { name = name.dropFirst() }
                if name.hasPrefix(".") { name = name.dropFirst() }
                if let colon = name.lastIndex(of: ":") { name = name[..<colon] }
                if !name.isEmpty { bypassNames.append(String(name)) }
            }
        }
    }

    /// The proxy to tunnel through to `url`, nil for a direct connection.
    func proxy(for url: OutboundURL) -> OutboundURL? {
        guard let proxy = url.scheme == .https ? https : http, !bypassAll else { return nil }
        if let address = url.address {
            return bypassNetworks.contains { $0.contains(address) } ? nil : proxy
        }
        let bypassed = bypassNames.contains { url.host == $0 || url.host.hasSuffix("." + $0) }
        return bypassed ? nil : proxy
    }
}
