/// An absolute http or https URL as the client fetches it: scheme, host (a name, or an IP
/// literal with IPv6 in brackets), port and the request target (path and query). Userinfo is
/// refused (credentials belong in headers, where they are never logged), the fragment dropped.
struct OutboundURL: Sendable, Equatable {
    enum Scheme: String, Sendable {
        case http, https
        var defaultPort: Int { self == .http ? 80 : 443 }
    }

    let scheme: Scheme
    /// Lowercased; without brackets for IPv6.
    let host: String
    let port: Int
    /// "/path?query", at least "/".
    let target: String
    /// Set when `host` is an IP literal.
    let address: IPAddress?

    static let maxLength = 8192

    /// What the Host header carries ("example.com", "[::1]:8080").
    var authority: String {
        let name = address.map { $0.isIPv4 ? host : "[\(host)]" } ?? host
        return port == scheme.defaultPort ? name : "\(name):\(port)"
    }

    /// scheme://authority, for logs and pool keys: never the path or query (they may carry keys).
    var origin: String { "\(scheme.rawValue)://\(authority)" }

    struct Invalid: Error, Equatable {
        let reason: String
    }

    init(_ text: String) throws(Invalid) {
        guard text.utf8.count <= Self.maxLength else { throw Invalid(reason: "URL longer than \(Self.maxLength) bytes") }
        guard text.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw Invalid(reason: "URL with spaces, control or non-ASCII characters (percent-encode them)")
        }
        guard let separator = text.range(of: "://") else { throw Invalid(reason: "not an absolute http(s) URL") }
        guard let scheme = Scheme(rawValue: text[..<separator.lowerBound].lowercased()) else {
            throw Invalid(reason: "scheme is not http or https")
        }
        var rest = text[separator.upperBound...]
        if let hash = rest.firstIndex(of: "#") { rest = rest[..<hash] }
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        var target = String(rest[authorityEnd...])
        if target.isEmpty || target.first == "?" { target = "/" + target }
        guard !authority.contains("@") else { throw Invalid(reason: "URL with userinfo (put credentials in a header)") }

        var hostPart = authority
        var portPart: Substring?
        if authority.first == "[" {
            guard let close = authority.firstIndex(of: "]") else { throw Invalid(reason: "unterminated IPv6 literal") }
            hostPart = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.first == ":" else { throw Invalid(reason: "unexpected text after the IPv6 literal") }
                portPart = after.dropFirst()
            }
            guard let address = IPAddress(hostPart), !address.isIPv4 else { throw Invalid(reason: "invalid IPv6 literal") }
            self.address = address
        } else {
            if let colon = authority.lastIndex(of: ":") {
                hostPart = authority[..<colon]
                portPart = authority[authority.index(after: colon)...]
            }
            let isDottedNumbers = hostPart.allSatisfy { $0.isNumber || $0 == "." }
            if isDottedNumbers {
                guard let address = IPAddress(hostPart), address.isIPv4 else {
                    throw Invalid(reason: "invalid IPv4 address (use four decimal parts)")
                }
                self.address = address
            } else {
                guard Self.isHostName(hostPart) else { throw Invalid(reason: "invalid host name") }
                self.address = nil
            }
        }
        if let portPart {
            guard !portPart.isEmpty, portPart.count <= 5, portPart.allSatisfy(\.isNumber), let port = Int(portPart),
                  (1...65_535).contains(port)
            else { throw Invalid(reason: "invalid port") }
            self.port = port
        } else {
            self.port = scheme.defaultPort
        }
        self.scheme = scheme
        self.host = hostPart.lowercased()
        self.target = target
    }

    /// A redirect's Location resolved against this URL: absolute, scheme-relative ("//h/p"),
    /// absolute-path ("/p") or relative to this URL's path ("p").
    func resolving(_ location: String) throws(Invalid) -> OutboundURL {
        if location.contains("://") { return try OutboundURL(location) }
        if location.hasPrefix("//") { return try OutboundURL(scheme.rawValue + ":" + location) }
        if location.hasPrefix("/") { return try OutboundURL(origin + location) }
        let path = target.prefix { $0 != "?" }
        let directory = path[...(path.lastIndex(of: "/") ?? path.startIndex)]
        return try OutboundURL(origin + directory + location)
    }

    /// Letters, digits, '-', '_' and '.' in labels of 1 to 63 bytes, at most 253 in all.
    static func isHostName(_ name: Substring) -> Bool {
        let trimmed = name.hasSuffix(".") ? name.dropLast() : name
        guard !trimmed.isEmpty, trimmed.utf8.count <= 253 else { return false }
        return trimmed.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
            (1...63).contains(label.utf8.count) && label.first != "-" && label.last != "-"
                && label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
        }
    }
}
