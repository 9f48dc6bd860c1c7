import PluginABI

/// PATTERN_HAS_FIELD for Swift: whether a struct whose other side says it is `structSize` bytes
/// long reaches all of `field` (a slot or field added in a later minor than that side's).
public func abiHasField<S, T>(_ structSize: UInt32, _ field: KeyPath<S, T>) -> Bool {
    guard let offset = MemoryLayout<S>.offset(of: field) else { return false }
    return offset + MemoryLayout<T>.size <= Int(structSize)
}

extension UnsafeMutablePointer<pattern_error> {
    /// Fills in the one-line reason a callback failed: at most 255 bytes, NUL-terminated.
    func fill(_ message: String) {
        let bytes = Array(message.utf8.prefix(255))
        withUnsafeMutableBytes(of: &pointee.message) { buffer in
            for (index, byte) in bytes.enumerated() { buffer[index] = byte }
            buffer[bytes.count] = 0
        }
    }
}
