import Synchronization

/// Deferred responses by handle: ids are never reused, so a stale handle is simply absent.
/// Every call of the responses table looks its handle up, from every worker at once: the table
/// is split into shards by id so those lookups rarely wait for each other (one lock made it
/// the relay's bottleneck).
final class DeferredResponses: Sendable {
    private static let shardCount = 64
    /// A Mutex cannot live in an array (it is not copyable): each shard is a small class.
    private final class Shard: Sendable {
        let open = Mutex<[UInt64: DeferredResponse]>([:])
    }

    private let shards = (0..<DeferredResponses.shardCount).map { _ in Shard() }
    private let lastID = Atomic<UInt64>(0)
    private let openCount = Atomic<Int>(0)

    private func shard(_ id: UInt64) -> Shard { shards[Int(id % UInt64(Self.shardCount))] }

    func make(_ context: RequestContext, origin: RequestOrigin, queueBound: Int) -> DeferredResponse {
        let id = lastID.add(1, ordering: .relaxed).newValue
        let response = DeferredResponse(id: id, context: context, origin: origin, queueBound: queueBound, registry: self)
        shard(id).open.withLock { $0[id] = response }
        openCount.add(1, ordering: .relaxed)
        return response
    }

    func find(_ id: UInt64) -> DeferredResponse? { shard(id).open.withLock { $0[id] } }

    func remove(_ id: UInt64) {
        if shard(id).open.withLock({ $0.removeValue(forKey: id) }) != nil { openCount.subtract(1, ordering: .relaxed) }
    }

    var count: Int { openCount.load(ordering: .relaxed) }
}
