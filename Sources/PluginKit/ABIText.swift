import PluginABI

extension pattern_str {
    /// Copies the borrowed bytes into a Swift string (invalid UTF-8 is repaired).
    public var string: String {
        guard let ptr, len > 0 else { return "" }
        return String(decoding: UnsafeRawBufferPointer(start: ptr, count: len), as: UTF8.self)
    }

    /// The bytes themselves, not copied: valid as long as the host's view is.
    public var borrowedBytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: ptr, count: ptr == nil ? 0 : len) }

    /// Copies the borrowed bytes.
    public var byteArray: [UInt8] {
        guard let ptr, len > 0 else { return [] }
        return Array(UnsafeRawBufferPointer(start: ptr, count: len))
    }
}

/// Calls `body` with a borrowed `pattern_str` view of `text` (valid only inside `body`).
public func withABIString<R>(_ text: String, _ body: (pattern_str) -> R) -> R {
    var copy = text
    return copy.withUTF8 { buffer in
        body(pattern_str(ptr: buffer.baseAddress.map { UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self) },
                         len: buffer.count))
    }
}

/// Calls `body` with a borrowed `pattern_str` view of `bytes` (valid only inside `body`).
public func withABIBytes<R>(_ bytes: [UInt8], _ body: (pattern_str) -> R) -> R {
    bytes.withUnsafeBufferPointer { buffer in
        body(pattern_str(ptr: buffer.baseAddress.map { UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self) },
                         len: buffer.count))
    }
}

/// A string copied once into memory that is never freed: for the descriptor, which must
/// outlive every call (the ABI's "static descriptor").
func permanentABIString(_ text: String) -> pattern_str {
    let bytes = Array(text.utf8)
    let storage = UnsafeMutablePointer<CChar>.allocate(capacity: max(bytes.count, 1))
    for (index, byte) in bytes.enumerated() { storage[index] = CChar(bitPattern: byte) }
    return pattern_str(ptr: storage, len: bytes.count)
}
