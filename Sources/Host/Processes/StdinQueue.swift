/// Bytes a plugin wrote for a child's stdin that the pipe has not taken yet, bounded: a write
/// that would take the queue past `bound` is refused (a write of any size is taken into an
/// empty queue), and whoever was refused is told once the queue has emptied.
struct StdinQueue {
    enum Admission: Equatable {
        /// Taken; `first` when the queue was empty, so nobody is writing it out yet.
        case queued(first: Bool)
        /// Nothing taken: the queue is full.
        case busy
        /// Nothing taken: stdin is closed or closing.
        case closed
    }

    static let defaultBound = 1 << 20

    let bound: Int
    private var pending: [UInt8] = []
    private var sent = 0
    /// Close stdin once the queue is empty.
    private(set) var closeRequested = false
    private(set) var isClosed = false
    /// A write was refused: the writer wants to hear when the queue has emptied.
    private var drainWanted = false

    init(bound: Int = StdinQueue.defaultBound) {
        self.bound = bound
    }

    var count: Int { pending.count - sent }

    mutating func enqueue(_ bytes: UnsafeRawBufferPointer) -> Admission {
        if isClosed || closeRequested { return .closed }
        let first = count == 0
        if !first && count + bytes.count > bound {
            drainWanted = true
            return .busy
        }
        if sent > 0 && sent >= pending.count / 2 {
            pending.removeFirst(sent)
            sent = 0
        }
        pending.append(contentsOf: bytes)
        return .queued(first: first)
    }

    mutating func requestClose() { closeRequested = true }

    /// Writes what is queued with `write` (a non-blocking write(2) that returns what it took,
    /// or a negative number when it took nothing) until it takes nothing more.
    mutating func writeOut(_ write: (UnsafeRawBufferPointer) -> Int) {
        while count > 0 {
            let taken = pending.withUnsafeBytes { write(UnsafeRawBufferPointer(rebasing: $0[sent...])) }
            guard taken > 0 else { return }
            sent += taken
        }
        pending.removeAll(keepingCapacity: pending.capacity <= 64 * 1024)
        sent = 0
    }

    /// Whether the writer that was refused should be told now (once: the queue emptied).
    mutating func takeDrained() -> Bool {
        guard drainWanted, count == 0 else { return false }
        drainWanted = false
        return true
    }

    /// Stdin is gone: queued bytes are dropped and no write is taken any more.
    mutating func close() {
        isClosed = true
        drainWanted = false
        pending = []
        sent = 0
    }
}
