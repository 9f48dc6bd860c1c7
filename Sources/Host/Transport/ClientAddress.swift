import Glibc

/// The client's address, copied once per connection and shared by its requests.
final class ClientAddress: Sendable {
    let text: String
    let bytes: PinnedBytes

    init(_ text: String) {
        self.text = text
        bytes = PinnedBytes(text)
    }

    deinit { bytes.pointer.deallocate() }

    /// The canonical text of a literal IPv4 or IPv6 address, as `inet_ntop` prints peers
    /// (an IPv4-mapped IPv6 address as its IPv4 form); nil when `text` is not an address.
    static func normalized(_ text: String) -> String? {
        var bytes = [UInt8](repeating: 0, count: 16)
        if inet_pton(AF_INET, text, &bytes) == 1 { return render(AF_INET, bytes) }
        guard inet_pton(AF_INET6, text, &bytes) == 1 else { return nil }
        if bytes[0..<10].allSatisfy({ $0 == 0 }) && bytes[10] == 0xFF && bytes[11] == 0xFF {
            return render(AF_INET, Array(bytes[12...]))
        }
        return render(AF_INET6, bytes)
    }

    private static func render(_ family: Int32, _ address: [UInt8]) -> String? {
        var buffer = [CChar](repeating: 0, count: 64)
        guard inet_ntop(family, address, &buffer, 64) != nil else { return nil }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
