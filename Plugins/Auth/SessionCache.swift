import Glibc

/// Recently read logins, so that checking an access token (is its login revoked, is its user
/// still active, still an admin, is its key still enabled?) costs a dictionary lookup rather
/// than a database read on every request.
///
/// Every write of this plugin that can end or change a login clears the cache at once, so in
/// one process a revoked token stops working immediately. Entries also expire after `ttl`, which
/// bounds how stale another process's view can be (several hosts sharing one database).
/// A generation counter keeps a read that raced with a clear from re-filling stale data.
final class SessionCache: Sendable {
    private struct Entry: Sendable {
        let session: Session
        let loadedAt: UInt64
    }

    private struct State: Sendable {
        var entries: [String: Entry] = [:]
        var generation: UInt64 = 0
    }

    static let ttlMilliseconds: UInt64 = 5_000
    static let maxEntries = 10_000

    private let state = ReadWriteLocked(State())

    /// The cached login, or `load()`'s answer (cached when found).
    func session(_ familyID: String, load: () throws -> Session?) rethrows -> Session? {
        let now = Self.monotonicMilliseconds()
        let (cached, generation) = state.read { state in (state.entries[familyID], state.generation) }
        if let cached, now &- cached.loadedAt < Self.ttlMilliseconds { return cached.session }
        guard let session = try load() else { return nil }
        state.write { state in
            guard state.generation == generation else { return }
            if state.entries.count >= Self.maxEntries { state.entries.removeAll(keepingCapacity: true) }
            state.entries[familyID] = Entry(session: session, loadedAt: now)
        }
        return session
    }

    /// Forgets everything (after any write that may end or change a login).
    func invalidate() {
        state.write { state in
            state.entries.removeAll(keepingCapacity: true)
            state.generation &+= 1
        }
    }

    private static func monotonicMilliseconds() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) * 1000 + UInt64(time.tv_nsec) / 1_000_000
    }
}
