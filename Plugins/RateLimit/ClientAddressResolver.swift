import PluginKit

/// The client's address: the socket's peer, unless that peer is a trusted proxy; then the
/// X-Forwarded-For entry nearest to us that is not itself a trusted proxy (entries further
/// left were written by whoever sent the request, and anyone can write them).
struct ClientAddressResolver: Sendable {
    let trustedProxies: [IPNetwork]
    /// IPv6 clients are keyed by this prefix (a host usually holds a whole /64).
    let ipv6KeyPrefix: Int

    func address(of request: Request) -> IPAddress {
        let peer = IPAddress(bytes: request.clientIPBytes) ?? IPAddress(high: 0, low: 0)
        var client = peer
        if isTrusted(peer), let forwarded = request.header("x-forwarded-for") {
            for entry in forwarded.split(separator: ",").reversed() {
                guard let hop = IPAddress(entry.trimmingCharacters(in: " \t")) else { break }
                client = hop
                if !isTrusted(hop) { break }
            }
        }
        return client.isIPv4 ? client : client.masked(ipv6KeyPrefix)
    }

    private func isTrusted(_ address: IPAddress) -> Bool {
        trustedProxies.contains { $0.contains(address) }
    }
}

extension Substring {
    fileprivate func trimmingCharacters(in set: String) -> Substring {
        var text = self
        while let first = text.first, set.contains(first) { text.removeFirst() }
        while let last = text.last, set.contains(last) { text.removeLast() }
        return text
    }
}
