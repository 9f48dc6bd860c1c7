import Synchronization

/// The model calls in flight, by id (so that they can be cancelled), at most `capacity` at
/// once: past that a new call is not admitted — `CompletionService` answers it
/// service_unavailable — while the calls already in flight go on.
public final class InFlightCalls<Call: Sendable>: Sendable {
    public let capacity: Int
    private let calls = Mutex<[UInt64: Call]>([:])

    public init(capacity: Int) {
        self.capacity = capacity
    }

    /// Keeps `call` under `id`, unless `capacity` calls are in flight already.
    public func admit(_ call: Call, id: UInt64) -> Bool {
        calls.withLock { calls in
            guard calls.count < capacity else { return false }
            calls[id] = call
            return true
        }
    }

    public func call(_ id: UInt64) -> Call? {
        calls.withLock { $0[id] }
    }

    public func remove(_ id: UInt64) {
        _ = calls.withLock { $0.removeValue(forKey: id) }
    }
}
