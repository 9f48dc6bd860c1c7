import Glibc

/// An IPv4 or IPv6 address as 16 bytes (IPv4 in its IPv4-mapped IPv6 form, ::ffff:a.b.c.d),
/// so one comparison serves both families.
struct IPAddress: Hashable, Sendable {
    let high: UInt64
    let low: UInt64

    init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// Parses "192.0.2.1", "2001:db8::1" or "::ffff:192.0.2.1"; nil for anything else.
    init?(_ text: some StringProtocol) {
        self.init(bytes: text.utf8)
    }

    /// The same from bytes (the host's view of the peer address, no String built): dotted
    /// IPv4 is parsed here, the rest by inet_pton.
    init?(bytes text: some Collection<UInt8>) {
        guard !text.isEmpty, text.count <= 45 else { return nil }
        if let v4 = Self.parseIPv4(text) {
            self.init(high: 0, low: 0xFFFF_0000_0000 | UInt64(v4))
            return
        }
        guard text.contains(UInt8(ascii: ":")) else { return nil }
        var bytes = [UInt8](repeating: 0, count: 16)
        guard inet_pton(AF_INET6, String(decoding: text, as: UTF8.self), &bytes) == 1 else { return nil }
        self.init(high: bytes[0..<8].reduce(0) { $0 << 8 | UInt64($1) },
                  low: bytes[8..<16].reduce(0) { $0 << 8 | UInt64($1) })
    }

    /// Four decimal parts 0–255 separated by dots, without leading zeros: what inet_pton(AF_INET) takes.
    private static func parseIPv4(_ text: some Collection<UInt8>) -> UInt32? {
        var value: UInt32 = 0
        var part: UInt32 = 0
        var digits = 0
        var dots = 0
        for byte in text {
            if byte == UInt8(ascii: ".") {
                guard digits > 0, dots < 3 else { return nil }
                value = value << 8 | part
                (part, digits, dots) = (0, 0, dots + 1)
            } else if byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") {
                guard digits == 0 || part > 0 else { return nil }
                part = part * 10 + UInt32(byte - UInt8(ascii: "0"))
                digits += 1
                guard digits <= 3, part <= 255 else { return nil }
            } else {
                return nil
            }
        }
        guard digits > 0, dots == 3 else { return nil }
        return value << 8 | part
    }

    var isIPv4: Bool { high == 0 && low >> 32 == 0xFFFF }

    /// The address with all but the first `bits` bits (of the 128) cleared.
    func masked(_ bits: Int) -> IPAddress {
        func mask(_ word: UInt64, _ keep: Int) -> UInt64 {
            keep >= 64 ? word : keep <= 0 ? 0 : word & ~(UInt64.max >> UInt64(keep))
        }
        return IPAddress(high: mask(high, bits), low: mask(low, bits - 64))
    }
}

/// A CIDR block, "10.0.0.0/8" or "2001:db8::/32"; a bare address is a single host.
struct IPNetwork: Sendable, Equatable {
    let base: IPAddress
    /// Prefix length in the 128-bit space (an IPv4 /8 is 104).
    let bits: Int

    init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2, let address = IPAddress(parts[0]) else { return nil }
        let width = address.isIPv4 ? 32 : 128
        var prefix = width
        if parts.count == 2 {
            guard let parsed = Int(parts[1]), (0...width).contains(parsed) else { return nil }
            prefix = parsed
        }
        bits = prefix + (128 - width)
        base = address.masked(bits)
    }

    func contains(_ address: IPAddress) -> Bool { address.masked(bits) == base }
}
