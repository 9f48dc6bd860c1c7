import Synchronization

/// A lock-free event count.
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

/// A lock-free signed gauge of whole units (in-flight requests, open connections).
final class AtomicLevel: Sendable {
    private let value = Atomic<Int64>(0)

    func add(_ delta: Int64) { value.wrappingAdd(delta, ordering: .relaxed) }
    var current: Int64 { value.load(ordering: .relaxed) }
}
