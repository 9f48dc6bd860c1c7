import Synchronization

/// The running event loops, for work that lives on one of them (timers, outbound
/// connections, child processes), spread round-robin. Empty until the server listens, so a
/// one-off command (`create-admin`) has none.
final class LoopGroup: Sendable {
    private let loops = Mutex<[EventLoop]>([])
    private let turn = Atomic<Int>(0)

    func attach(_ loops: [EventLoop]) { self.loops.withLock { $0 = loops } }

    var all: [EventLoop] { loops.withLock { $0 } }

    /// The next loop in turn; nil before the server listens.
    func next() -> EventLoop? {
        let index = turn.add(1, ordering: .relaxed).oldValue
        return loops.withLock { $0.isEmpty ? nil : $0[index % $0.count] }
    }
}
