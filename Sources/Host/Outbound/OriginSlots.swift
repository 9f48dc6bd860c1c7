import Synchronization

/// Open connections per origin across all event loops, held under
/// `[outbound] max_connections_per_origin`. A loop whose call finds the origin full waits;
/// when a connection of that origin closes anywhere, the loops with waiters are told. It also
/// knows which loops have connections of an origin parked, so a new call goes where one waits.
final class OriginSlots: Sendable {
    private struct Slot {
        var open = 0
        var waitingLoops: Set<Int> = []
        var parkedByLoop: [Int: Int] = [:]
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

    /// Counts connections parked (positive `change`) or taken back on loop `index`.
    func parked(_ origin: String, loop index: Int, change: Int) {
        guard change != 0 else { return }
        slots.withLock { slots in
            guard slots[origin] != nil else { return }
            let count = slots[origin]!.parkedByLoop[index, default: 0] + change
            slots[origin]!.parkedByLoop[index] = count > 0 ? count : nil
        }
    }

    /// A loop with a connection of `origin` parked, if any.
    func loopWithParked(_ origin: String) -> Int? {
        slots.withLock { $0[origin]?.parkedByLoop.keys.first }
    }
}
