/// A growable byte buffer for what a connection has read but not yet consumed.
///
/// Bytes live in one manually managed allocation so the parser can work on a contiguous
/// `UnsafeRawBufferPointer` without copies; consumed bytes are dropped by moving `start`,
/// and the live region is moved to the front only when more room is needed.
struct InputBuffer {
    private var storage: UnsafeMutableRawBufferPointer
    private(set) var start = 0
    private(set) var end = 0

    init(capacity: Int) {
        storage = .allocate(byteCount: capacity, alignment: 16)
    }

    var count: Int { end - start }
    var isEmpty: Bool { start == end }

    /// The unconsumed bytes; valid until the next mutation.
    var readable: UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: storage[start..<end]) }

    /// Free space after `end`, at least `minimum` bytes (compacting or growing as needed).
    mutating func writableSpace(minimum: Int) -> UnsafeMutableRawBufferPointer {
        if storage.count - end < minimum {
            if count + minimum <= storage.count {
                compact()
            } else {
                let grown = UnsafeMutableRawBufferPointer.allocate(
                    byteCount: max(storage.count * 2, count + minimum), alignment: 16)
                if count > 0 { grown.copyMemory(from: readable) }
                storage.deallocate()
                storage = grown
                end = count
                start = 0
            }
        }
        return UnsafeMutableRawBufferPointer(rebasing: storage[end...])
    }

    /// Records that `n` bytes were written into `writableSpace`.
    mutating func didWrite(_ n: Int) { end += n }

    mutating func consume(_ n: Int) {
        start += n
        if start == end { start = 0; end = 0 }
    }

    mutating func removeAll() { start = 0; end = 0 }

    private mutating func compact() {
        guard start > 0 else { return }
        let live = count
        if live > 0 {
            storage.baseAddress!.copyMemory(from: storage.baseAddress! + start, byteCount: live)
        }
        start = 0
        end = live
    }

    func deallocate() { storage.deallocate() }
}
