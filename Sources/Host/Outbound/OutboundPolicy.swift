/// The outbound (SSRF) policy: which resolved addresses the client may connect to. Checked on
/// every address before its connect, so a name that resolves somewhere internal, or a
/// redirect there, is refused before a single byte leaves.
struct OutboundPolicy: Sendable {
    /// Ranges refused unless allowed: nothing a plugin fetches on a user's behalf should reach
    /// the host itself, the local network or a cloud's metadata service (169.254.169.254).
    static let internalRanges: [(IPNetwork, String)] = [
        ("0.0.0.0/8", "an unspecified (\"this network\")"), ("127.0.0.0/8", "a loopback"),
        ("10.0.0.0/8", "a private"), ("172.16.0.0/12", "a private"), ("192.168.0.0/16", "a private"),
        ("100.64.0.0/10", "a carrier-grade NAT (shared)"), ("169.254.0.0/16", "a link-local"),
        ("192.0.0.0/24", "an IETF protocol"), ("198.18.0.0/15", "a benchmarking"),
        ("224.0.0.0/4", "a multicast"), ("240.0.0.0/4", "a reserved"),
        ("::/128", "an unspecified"), ("::1/128", "a loopback"), ("fc00::/7", "a unique-local"),
        ("fe80::/10", "a link-local"), ("fec0::/10", "a site-local"), ("ff00::/8", "a multicast"),
    ].map { (IPNetwork($0.0)!, $0.1) }

    static let disabledMessage = "outbound connections are disabled ([outbound] deny_all)"

    var allowPrivateNetworks = false
    var allow: [IPNetwork] = []
    var denyAll = false

    /// Why `address` may not be reached, or nil when it may.
    func refusal(of address: IPAddress) -> String? {
        if denyAll { return Self.disabledMessage }
        let forms = [address] + (address.embeddedIPv4.map { [$0] } ?? [])
        if allow.contains(where: { network in forms.contains { network.contains($0) } }) { return nil }
        guard let kind = Self.internalKind(address), !allowPrivateNetworks else { return nil }
        return "\(address) is \(kind) address, which the outbound policy refuses "
            + "(allow it with [outbound] allow or allow_private_networks)"
    }

    /// The kind of internal range `address` is in (also through an IPv6 form that carries an
    /// IPv4 address), or nil for a public address.
    static func internalKind(_ address: IPAddress) -> String? {
        if let embedded = address.embeddedIPv4, let kind = internalKind(embedded) { return kind }
        return internalRanges.first { $0.0.contains(address) }?.1
    }
}
