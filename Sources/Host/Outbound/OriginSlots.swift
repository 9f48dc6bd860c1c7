import Synchronization

/// Open connections per origin across all event loops, held under
/// `[outbound] max_connections_per_origin`. A loop whose call finds the origin full waits;
/// when a connection of that origin closes anywhere, the loops with waiters are told.
final class OriginSlots: Sendable {
    private struct Slot {
        var open = 0
        var waitingLoops: Set<Int> = []
    }

    let capacity: Int
    private let slots = Mutex<[String: Slot]>([:])

    init(capacity: Int) { self.capacity = capacity }

    /// Takes a slot for a new connection; false when the origin is full.
    func open(_ origin: String) -> Bool {
        slots.withLock { slots in
            guard slots[origin, default: Slot()].open < capacity else { return false }
            slots[origin, default: Slot()].open += 1
            return true
        }
    }

    /// Notes that loop `index` has calls waiting for `origin`.
    func wait(_ origin: String, loop index: Int) {
        slots.withLock { _ = $0[origin, default: Slot()].waitingLoops.insert(index) }
    }

    /// Gives a slot back; returns the loops that wait for one (they must register again if
    /// they still wait after trying).
    func close(_ origin: String) -> Set<Int> {
        slots.withLock { slots in
            guard var slot = slots[origin] else { return [] }
            slot.open -= 1
            let waiting = slot.waitingLoops
            slot.waitingLoops = []
            slots[origin] = slot.open == 0 ? nil : slot
            return waiting
        }
    }

    func openCount(_ origin: String) -> Int { slots.withLock { $0[origin]?.open ?? 0 } }
}
