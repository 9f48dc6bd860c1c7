import Synchronization

/// Deferred responses by handle: ids are never reused, so a stale handle is simply absent.
final class DeferredResponses: Sendable {
    private let open = Mutex<[UInt64: DeferredResponse]>([:])
    private let lastID = Atomic<UInt64>(0)

    func make(_ context: RequestContext, origin: RequestOrigin, queueBound: Int) -> DeferredResponse {
        let id = lastID.add(1, ordering: .relaxed).newValue
        let response = DeferredResponse(id: id, context: context, origin: origin, queueBound: queueBound, registry: self)
        open.withLock { $0[id] = response }
        return response
    }

    func find(_ id: UInt64) -> DeferredResponse? { open.withLock { $0[id] } }

    func remove(_ id: UInt64) { _ = open.withLock { $0.removeValue(forKey: id) } }

    var count: Int { open.withLock { $0.count } }
}
