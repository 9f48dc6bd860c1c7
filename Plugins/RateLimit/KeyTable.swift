import PluginKit
import RateLimitBuckets
import Synchronization

/// Each client key's GCRA state (its TAT), in hash-sharded LRU tables whose capacities add
/// up to at most `maxKeys`: a flood of new keys evicts the least recently used ones, and
/// keys whose bucket is full again (idle) are swept from the old end as the table is used.
final class KeyTable<Key: Hashable & Sendable>: Sendable {
    private final class Shard: Sendable {
        let table: Mutex<BoundedLRUTable<Key, Int64>>
        init(capacity: Int) { table = Mutex(BoundedLRUTable(capacity: capacity)) }
    }

    private let shards: [Shard]
    private let keyCount = Atomic<Int>(0)
    private let evictionCount = Atomic<Int>(0)
    /// Idle keys removed per operation at most (bounded work on the request path).
    private static var sweepLimit: Int { 4 }

    init(maxKeys: Int) {
        let shardCount = max(1, min(16, maxKeys))
        shards = (0..<shardCount).map { _ in Shard(capacity: max(1, maxKeys / shardCount)) }
    }

    var count: Int { keyCount.load(ordering: .relaxed) }
    var evictions: Int { evictionCount.load(ordering: .relaxed) }

    /// Charges one request for `key` and stores the new TAT when it is allowed; `changed`
    /// says whether the key count or evictions moved (so observers are told only then).
    func charge(_ key: Key, _ gcra: GCRA, now: Int64) -> (decision: GCRA.Decision, changed: Bool) {
        shard(key).table.withLock { table in
            let swept = table.removeIdle(limit: Self.sweepLimit) { GCRA.isIdle(tat: $0, now: now) }
            let decision = gcra.charge(tat: table.value(for: key), now: now)
            var added = 0
            var evicted = 0
            if decision.allowed {
                let before = table.count
                evicted = table.set(decision.tat, for: key)
                added = table.count - before
                if evicted > 0 { evictionCount.add(evicted, ordering: .relaxed) }
            }
            if swept != 0 || added != 0 { keyCount.add(added - swept, ordering: .relaxed) }
            return (decision, swept != 0 || added != 0 || evicted != 0)
        }
    }

    /// The stored TAT, without charging (nil when unknown).
    func tat(_ key: Key) -> Int64? {
        shard(key).table.withLock { $0.value(for: key) }
    }

    /// Stores a TAT (for charges computed by the caller).
    func store(_ key: Key, tat: Int64, now: Int64) {
        shard(key).table.withLock { table in
            let swept = table.removeIdle(limit: Self.sweepLimit) { GCRA.isIdle(tat: $0, now: now) }
            let before = table.count
            let evicted = table.set(tat, for: key)
            if evicted > 0 { evictionCount.add(evicted, ordering: .relaxed) }
            keyCount.add(table.count - before - swept, ordering: .relaxed)
        }
    }

    private func shard(_ key: Key) -> Shard {
        shards.count == 1 ? shards[0] : shards[Int(UInt(bitPattern: key.hashValue) % UInt(shards.count))]
    }
}
