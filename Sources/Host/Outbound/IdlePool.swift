/// Kept-alive connections waiting for their next request, per origin: the most recently used
/// is reused first (its peer is least likely to have timed it out), each leaves after
/// `maxIdleMilliseconds` unused, and at most `maxPerOrigin` wait per origin. Pure bookkeeping:
/// the owner closes what `evict`, `put` and `remove` hand back.
struct IdlePool<Connection: AnyObject> {
    private struct Entry {
        let connection: Connection
        let since: UInt64
    }

    let maxIdleMilliseconds: UInt64
    let maxPerOrigin: Int
    private var byOrigin: [String: [Entry]] = [:]
    private(set) var count = 0

    init(maxIdleMilliseconds: UInt64, maxPerOrigin: Int) {
        self.maxIdleMilliseconds = maxIdleMilliseconds
        self.maxPerOrigin = maxPerOrigin
    }

    /// Parks `connection`; returns one that no longer fits (the longest idle), to be closed.
    mutating func put(_ connection: Connection, origin: String, now: UInt64) -> Connection? {
        byOrigin[origin, default: []].append(Entry(connection: connection, since: now))
        count += 1
        guard byOrigin[origin]!.count > maxPerOrigin else { return nil }
        count -= 1
        return byOrigin[origin]!.removeFirst().connection
    }

    /// The most recently parked connection of `origin` (call `evict` first: this does not
    /// look at the time).
    mutating func take(origin: String) -> Connection? {
        guard let entry = byOrigin[origin]?.popLast() else { return nil }
        if byOrigin[origin]!.isEmpty { byOrigin[origin] = nil }
        count -= 1
        return entry.connection
    }

    /// Forgets `connection` (its peer closed it while it waited); false when it was not here.
    @discardableResult
    mutating func remove(_ connection: Connection, origin: String) -> Bool {
        guard let index = byOrigin[origin]?.firstIndex(where: { $0.connection === connection }) else { return false }
        byOrigin[origin]!.remove(at: index)
        if byOrigin[origin]!.isEmpty { byOrigin[origin] = nil }
        count -= 1
        return true
    }

    /// Removes and returns every connection idle for `maxIdleMilliseconds` or longer.
    mutating func evict(now: UInt64) -> [Connection] {
        var expired: [Connection] = []
        for (origin, entries) in byOrigin {
            // Entries are in parking order, so the expired ones are a prefix.
            let stale = entries.prefix { now &- $0.since >= maxIdleMilliseconds }
            guard !stale.isEmpty else { continue }
            expired += stale.map(\.connection)
            byOrigin[origin] = stale.count == entries.count ? nil : Array(entries.dropFirst(stale.count))
        }
        count -= expired.count
        return expired
    }

    /// Removes and returns everything (shutdown).
    mutating func removeAll() -> [Connection] {
        defer { byOrigin = [:]; count = 0 }
        return byOrigin.values.flatMap { $0.map(\.connection) }
    }
}
