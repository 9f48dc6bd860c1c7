import PluginABI

/// Bytes at a fixed address for the life of the process, handed to plugins as `pattern_str`
/// (route templates, config JSON, the host version): things plugins may keep pointers to.
// @unchecked: the bytes are written once in init and never mutated or freed afterwards.
struct PinnedBytes: @unchecked Sendable {
    let pointer: UnsafeMutableRawBufferPointer

    init(_ bytes: some Collection<UInt8>) {
        pointer = .allocate(byteCount: max(bytes.count, 1), alignment: 1)
        _ = pointer.initializeMemory(as: UInt8.self, from: bytes)
        count = bytes.count
    }

    init(_ text: String) { self.init(Array(text.utf8)) }

    let count: Int

    var str: pattern_str {
        pattern_str(ptr: pointer.baseAddress!.assumingMemoryBound(to: CChar.self), len: count)
    }
}

extension pattern_str {
    /// Copies the borrowed bytes into a Swift string (invalid UTF-8 is repaired).
    var string: String {
        guard let ptr, len > 0 else { return "" }
        return String(decoding: UnsafeRawBufferPointer(start: ptr, count: len), as: UTF8.self)
    }

    var bytes: UnsafeRawBufferPointer {
        guard let ptr, len > 0 else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        return UnsafeRawBufferPointer(start: ptr, count: len)
    }

    static var empty: pattern_str { pattern_str(ptr: nil, len: 0) }
}
