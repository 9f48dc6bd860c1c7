import PatternCrypto
import Synchronization

/// Request ids: a client's own `X-Request-Id` when it is sane (1–128 visible ASCII
/// characters), otherwise `req_` + a random per-process prefix + a counter. Unique within
/// the process and unguessable across restarts, without a random draw per request.
enum RequestIdentifier {
    private static let prefix: [UInt8] = Array("req_\(Crypto.hex(Crypto.randomBytes(6)))".utf8)
    private static let counter = Atomic<UInt64>(0)

    static func isSane(_ bytes: UnsafeRawBufferPointer) -> Bool {
        bytes.count > 0 && bytes.count <= 128 && bytes.allSatisfy { $0 > 0x20 && $0 < 0x7F }
    }

    static func generate() -> [UInt8] {
        let value = counter.add(1, ordering: .relaxed).newValue
        var out = prefix
        let digits = Array("0123456789abcdef".utf8)
        for shift in stride(from: 44, through: 0, by: -4) {
            out.append(digits[Int((value >> UInt64(shift)) & 0xF)])
        }
        return out
    }

}
