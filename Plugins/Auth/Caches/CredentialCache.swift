import PatternSync
import Glibc

/// Recently read credentials — logins by family id, API keys (with their users) by key hash —
/// so that checking an access token or a key (is its login revoked, is its user still active,
/// still an admin, is its key still enabled?) costs a dictionary lookup rather than a database
/// read on every request, and can be done on the network thread.
///
/// Every write of this plugin that can end or change a login or a key clears the cache at once
/// (`AuthServices.changingSessions`), so in one process a revoked credential stops working
/// immediately. Only credentials found are cached: an unknown one is read every time. Entries also expire after `ttl`, which
/// bounds how stale another process's view can be (several hosts sharing one database).
/// A generation counter keeps a read that raced with a clear from re-filling stale data.
public final class CredentialCache<Value: Sendable>: Sendable {
    private struct Entry: Sendable {
        let value: Value
        let loadedAt: UInt64
    }

    private struct State: Sendable {
        var entries: [String: Entry] = [:]
        var generation: UInt64 = 0
    }

    /// (Computed: a generic type has no static stored properties.)
    static var ttlMilliseconds: UInt64 { 5_000 }
    static var maxEntries: Int { 10_000 }

    private let state = ReadWriteLocked(State())

    public init() {}

    /// The cached value if it is fresh; nil when only `load` can tell.
    public func cached(_ key: String) -> Value? {
        let now = Self.monotonicMilliseconds()
        guard let entry = state.read({ $0.entries[key] }), now &- entry.loadedAt < Self.ttlMilliseconds else { return nil }
        return entry.value
    }

    /// The cached value, or `load()`'s answer (cached when found).
    public func value(_ key: String, load: () throws -> Value?) rethrows -> Value? {
        let now = Self.monotonicMilliseconds()
        let (cached, generation) = state.read { state in (state.entries[key], state.generation) }
        if let cached, now &- cached.loadedAt < Self.ttlMilliseconds { return cached.value }
        guard let value = try load() else { return nil }
        state.write { state in
            guard state.generation == generation else { return }
            if state.entries.count >= Self.maxEntries { state.entries.removeAll(keepingCapacity: true) }
            state.entries[key] = Entry(value: value, loadedAt: now)
        }
        return value
    }

    /// Forgets everything (after any write that may end or change a login).
    public func invalidate() {
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
