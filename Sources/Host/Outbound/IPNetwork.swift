import Glibc

/// A literal IPv4 or IPv6 address as bytes (4 or 16), as the resolver returns them.
struct IPAddress: Sendable, Hashable, CustomStringConvertible {
    let bytes: [UInt8]

    init?(bytes: [UInt8]) {
        guard bytes.count == 4 || bytes.count == 16 else { return nil }
        self.bytes = bytes
    }

    /// Parses the text of a literal address ("10.0.0.1", "::1"); nil for anything else.
    init?(_ text: some StringProtocol) {
        var buffer = [UInt8](repeating: 0, count: 16)
        let string = String(text)
        if inet_pton(AF_INET, string, &buffer) == 1 {
            bytes = Array(buffer[0..<4])
        } else if inet_pton(AF_INET6, string, &buffer) == 1 {
            bytes = buffer
        } else {
            return nil
        }
    }

    var isIPv4: Bool { bytes.count == 4 }

    /// The IPv4 address an IPv6 address carries in its last 4 bytes when it is IPv4-mapped
    /// (::ffff:0:0/96), IPv4-compatible (::/96), NAT64 (64:ff9b::/96) or 6to4 (2002::/16, bytes
    /// 2-5): ranges through which an IPv6 literal reaches an IPv4 host.
    var embeddedIPv4: IPAddress? {
        guard !isIPv4 else { return nil }
        let prefix = bytes[0..<12]
        if prefix.prefix(10).allSatisfy({ $0 == 0 }) && bytes[10] == 0xFF && bytes[11] == 0xFF
            || prefix.allSatisfy({ $0 == 0 }) && !bytes[12...].allSatisfy({ $0 == 0 }) && bytes[12...] != [0, 0, 0, 1]
            || bytes[0..<12] == [0, 0x64, 0xFF, 0x9B, 0, 0, 0, 0, 0, 0, 0, 0]
        {
            return IPAddress(bytes: Array(bytes[12...]))
        }
        if bytes[0] == 0x20 && bytes[1] == 0x02 { return IPAddress(bytes: Array(bytes[2..<6])) }
        return nil
    }

    var description: String {
        var buffer = [CChar](repeating: 0, count: 64)
        guard inet_ntop(isIPv4 ? AF_INET : AF_INET6, bytes, &buffer, 64) != nil else { return "?" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// An address range in CIDR notation ("10.0.0.0/8", "fc00::/7"; a bare address is one host).
struct IPNetwork: Sendable, Hashable, CustomStringConvertible {
    let address: IPAddress
    let prefixLength: Int

    init?(_ text: some StringProtocol) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let address = IPAddress(parts[0]) else { return nil }
        let bits = address.bytes.count * 8
        if parts.count == 2 {
            guard let length = Int(parts[1]), (0...bits).contains(length), parts[1].allSatisfy(\.isASCII) else { return nil }
            prefixLength = length
        } else {
            prefixLength = bits
        }
        self.address = address
    }

    init(_ address: IPAddress, _ prefixLength: Int) {
        self.address = address
        self.prefixLength = prefixLength
    }

    func contains(_ candidate: IPAddress) -> Bool {
        guard candidate.bytes.count == address.bytes.count else { return false }
        var remaining = prefixLength
        for index in 0..<address.bytes.count where remaining > 0 {
            let bits = min(8, remaining)
            let mask = UInt8(truncatingIfNeeded: 0xFF << (8 - bits))
            if candidate.bytes[index] & mask != address.bytes[index] & mask { return false }
            remaining -= bits
        }
        return true
    }

    var description: String { "\(address)/\(prefixLength)" }
}
