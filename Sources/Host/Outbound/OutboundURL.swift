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

    /// Parsed on the UTF-8 bytes (the text is checked to be visible ASCII first): every call
    /// of the outbound client parses its URL, and Character-wise String work was a tenth of a
    /// relayed request's CPU.
    init(_ text: String) throws(Invalid) {
        let bytes = text.utf8
        guard bytes.count <= Self.maxLength else { throw Invalid(reason: "URL longer than \(Self.maxLength) bytes") }
        guard bytes.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw Invalid(reason: "URL with spaces, control or non-ASCII characters (percent-encode them)")
        }
        guard let colon = bytes.firstIndex(of: UInt8(ascii: ":")), bytes[colon...].starts(with: "://".utf8) else {
            throw Invalid(reason: "not an absolute http(s) URL")
        }
        guard let scheme = Scheme(rawValue: text[..<colon].lowercased()) else {
            throw Invalid(reason: "scheme is not http or https")
        }
        var rest = text[bytes.index(colon, offsetBy: 3)...]
        if let hash = rest.utf8.firstIndex(of: UInt8(ascii: "#")) { rest = rest[..<hash] }
        let authorityEnd = rest.utf8.firstIndex { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") } ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        var target = String(rest[authorityEnd...])
        if target.isEmpty || target.utf8.first == UInt8(ascii: "?") { target = "/" + target }
        guard !authority.utf8.contains(UInt8(ascii: "@")) else {
            throw Invalid(reason: "URL with userinfo (put credentials in a header)")
        }

        var hostPart = authority
        var portPart: Substring?
        if authority.utf8.first == UInt8(ascii: "[") {
            guard let close = authority.utf8.firstIndex(of: UInt8(ascii: "]")) else {
                throw Invalid(reason: "unterminated IPv6 literal")
            }
            hostPart = authority[authority.utf8.index(after: authority.startIndex)..<close]
            let after = authority[authority.utf8.index(after: close)...]
            if !after.isEmpty {
                guard after.utf8.first == UInt8(ascii: ":") else { throw Invalid(reason: "unexpected text after the IPv6 literal") }
                portPart = after[after.utf8.index(after: after.startIndex)...]
            }
            guard let address = IPAddress(hostPart), !address.isIPv4 else { throw Invalid(reason: "invalid IPv6 literal") }
            self.address = address
        } else {
            if let colon = authority.utf8.lastIndex(of: UInt8(ascii: ":")) {
                hostPart = authority[..<colon]
                portPart = authority[authority.utf8.index(after: colon)...]
            }
            if hostPart.utf8.allSatisfy({ Self.isDigit($0) || $0 == UInt8(ascii: ".") }) {
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
            guard !portPart.isEmpty, portPart.utf8.count <= 5, portPart.utf8.allSatisfy(Self.isDigit), let port = Int(portPart),
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

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

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
        var bytes = name.utf8[...]
        if bytes.last == UInt8(ascii: ".") { bytes = bytes.dropLast() }
        guard !bytes.isEmpty, bytes.count <= 253 else { return false }
        let hyphen = UInt8(ascii: "-")
        return bytes.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false).allSatisfy { label in
            (1...63).contains(label.count) && label.first != hyphen && label.last != hyphen
                && label.allSatisfy { byte in
                    let lower = byte | 0x20
                    return (lower >= UInt8(ascii: "a") && lower <= UInt8(ascii: "z")) || isDigit(byte) || byte == hyphen
                        || byte == UInt8(ascii: "_")
                }
        }
    }
}
