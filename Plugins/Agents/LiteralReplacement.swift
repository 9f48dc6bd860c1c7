import CShims

/// `replace`'s matching: every occurrence of `old` in a block, compared byte for byte (UTF-8,
/// no Unicode normalisation), left to right, never overlapping. The result's size is counted
/// before anything is built, so an oversized result is refused without allocating it; glibc's
/// memmem finds the occurrences in linear time without allocating (Foundation's search is
/// quadratic: half a block of "a…ab" against a block of "a…a" took 26 s).
struct LiteralReplacement: Sendable {
    let old: String
    let new: String

    /// The size in bytes of `content` with every occurrence replaced, or nil when there is
    /// none. Counting stops as soon as the size passes `limit`, so a size over the limit is a
    /// lower bound.
    func resultSize(of content: String, limit: Int) -> Int? {
        let growth = new.utf8.count - old.utf8.count
        var size = content.utf8.count
        var found = false
        var text = content
        text.withUTF8 { text in
            forEachOccurrence(in: text) { _ in
                found = true
                size += growth
                return growth <= 0 || size <= limit
            }
        }
        return found ? size : nil
    }

    /// `content` with every occurrence replaced; `size` is its `resultSize`.
    func apply(to content: String, size: Int) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(size)
        var text = content
        text.withUTF8 { text in
            var copied = 0
            forEachOccurrence(in: text) { offset in
                bytes.append(contentsOf: text[copied..<offset])
                bytes.append(contentsOf: new.utf8)
                copied = offset + old.utf8.count
                return true
            }
            bytes.append(contentsOf: text[copied...])
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Calls `body` with the byte offset of each occurrence in `text` until it returns false.
    private func forEachOccurrence(in text: UnsafeBufferPointer<UInt8>, _ body: (Int) -> Bool) {
        var pattern = old
        pattern.withUTF8 { pattern in
            guard let base = text.baseAddress, !pattern.isEmpty else { return }
            var offset = 0
            while let match = shim_memmem(base + offset, text.count - offset, pattern.baseAddress, pattern.count) {
                let position = UnsafeRawPointer(base).distance(to: match)
                guard body(position) else { return }
                offset = position + pattern.count
            }
        }
    }
}
