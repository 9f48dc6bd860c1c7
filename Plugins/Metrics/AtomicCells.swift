import Synchronization

extension Atomic where Value == UInt64 {
    /// Adds to a cell that only the calling thread ever writes (its own series): a relaxed
    /// load and store lose nothing then, and cost less than a locked read-modify-write.
    /// Readers (scrapes) still load atomically, so they never see a torn value.
    func addFromOwner(_ amount: UInt64) {
        store(load(ordering: .relaxed) &+ amount, ordering: .relaxed)
    }
}

/// A lock-free event count any thread may add to.
final class AtomicCount: Sendable {
    private let value = Atomic<UInt64>(0)

    func add(_ amount: UInt64 = 1) { value.wrappingAdd(amount, ordering: .relaxed) }
    var current: UInt64 { value.load(ordering: .relaxed) }
}

/// A lock-free Double (its bits in an atomic word; additions retry on contention).
final class AtomicDouble: Sendable {
    private let bits = Atomic<UInt64>(0.0.bitPattern)

    func add(_ delta: Double) {
        var expected = bits.load(ordering: .relaxed)
        while true {
            let desired = (Double(bitPattern: expected) + delta).bitPattern
            let (exchanged, original) = bits.compareExchange(expected: expected, desired: desired, ordering: .relaxed)
            if exchanged { return }
            expected = original
        }
    }

    func set(_ value: Double) { bits.store(value.bitPattern, ordering: .relaxed) }
    var current: Double { Double(bitPattern: bits.load(ordering: .relaxed)) }
}
