import Foundation
import PluginABI

/// Bytes handed to a plugin as a borrowed `pattern_str`: they stay at one address until their
/// owner (an exchange, a result set, the fake host) lets go of them.
// @unchecked: immutable after init; the buffer is freed only in deinit.
final class PinnedBytes: @unchecked Sendable {
    private let pointer: UnsafeMutablePointer<UInt8>
    let count: Int

    init(_ bytes: some Collection<UInt8>) {
        count = bytes.count
        pointer = .allocate(capacity: max(count, 1))
        _ = UnsafeMutableBufferPointer(start: pointer, count: count).initialize(from: bytes)
    }

    convenience init(_ text: String) { self.init(Array(text.utf8)) }

    deinit { pointer.deallocate() }

    var str: pattern_str {
        pattern_str(ptr: UnsafeRawPointer(pointer).assumingMemoryBound(to: CChar.self), len: count)
    }
}

extension pattern_str {
    /// A copy of the bytes (empty for a NULL pointer).
    var bytes: [UInt8] {
        guard let ptr, len > 0 else { return [] }
        return Array(UnsafeRawBufferPointer(start: ptr, count: len))
    }

    var text: String { String(decoding: bytes, as: UTF8.self) }
}

/// Strings the host hands out "for the life of the process" (config, settings, data
/// directory): a plugin may keep their pointers, so they are never freed.
enum PermanentText {
    static func str(_ text: String) -> pattern_str {
        let pinned = PinnedBytes(text)
        _ = Unmanaged.passRetained(pinned)
        return pinned.str
    }
}
