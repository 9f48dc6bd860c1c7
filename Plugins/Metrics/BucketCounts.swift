import Synchronization

/// One histogram series of whole units (nanoseconds, bytes) written by one thread: a count per
/// bucket (non-cumulative) and the sum, added to with `addFromOwner`. `count` is the number of
/// bounds plus one, for +Inf.
struct BucketCounts<let count: Int>: ~Copyable, Sendable {
    private let cells: [count of Atomic<UInt64>]
    private let total = Atomic<UInt64>(0)

    init() { cells = InlineArray { _ in Atomic<UInt64>(0) } }

    /// `bounds` are the upper bounds (inclusive, increasing, `count - 1` of them); scanning
    /// from the smallest is quickest for the small values an API mostly sees.
    func record(_ value: UInt64, bounds: [UInt64]) {
        var index = 0
        while index < bounds.count, value > bounds[index] { index += 1 }
        cells[index].addFromOwner(1)
        total.addFromOwner(value)
    }

    /// Cumulative counts per bound, then +Inf, and the sum times `unit` (e.g. 1e-9 for seconds).
    func snapshot(unit: Double) -> HistogramCells.Snapshot {
        var running: UInt64 = 0
        let cumulative = (0..<count).map { index -> UInt64 in
            running &+= cells[index].load(ordering: .relaxed)
            return running
        }
        return HistogramCells.Snapshot(cumulative: cumulative, sum: Double(total.load(ordering: .relaxed)) * unit)
    }
}
