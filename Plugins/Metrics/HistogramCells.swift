/// One histogram series: a count per bucket (non-cumulative, lock-free) and the sum.
/// Rendering accumulates the buckets and takes `_count` from their total, so the `+Inf`
/// bucket always equals `_count` even while observations race with a scrape.
final class HistogramCells: Sendable {
    /// Upper bounds, strictly increasing and finite; the +Inf bucket is implicit.
    let bounds: [Double]
    private let counts: [AtomicCount]
    private let total = AtomicDouble()

    init(bounds: [Double]) {
        self.bounds = bounds
        counts = (0...bounds.count).map { _ in AtomicCount() }
    }

    func observe(_ value: Double) {
        counts[bucketIndex(value)].add()
        total.add(value)
    }

    /// The first bucket whose upper bound is ≥ value (`le` is inclusive); NaN goes to +Inf.
    func bucketIndex(_ value: Double) -> Int {
        var low = 0
        var high = bounds.count
        while low < high {
            let middle = (low + high) / 2
            if value <= bounds[middle] { high = middle } else { low = middle + 1 }
        }
        return low
    }

    struct Snapshot {
        /// Cumulative counts per bound, then +Inf.
        let cumulative: [UInt64]
        let sum: Double
        var count: UInt64 { cumulative.last ?? 0 }

        /// The sum of several stripes' snapshots of one series (same bounds).
        static func merged(_ parts: [Snapshot]) -> Snapshot {
            guard var total = parts.first?.cumulative else { return Snapshot(cumulative: [0], sum: 0) }
            for part in parts.dropFirst() {
                for index in total.indices { total[index] &+= part.cumulative[index] }
            }
            return Snapshot(cumulative: total, sum: parts.reduce(0) { $0 + $1.sum })
        }
    }

    var snapshot: Snapshot {
        var running: UInt64 = 0
        let cumulative = counts.map { cell -> UInt64 in
            running &+= cell.current
            return running
        }
        return Snapshot(cumulative: cumulative, sum: total.current)
    }

    /// The API's latency buckets, 0.5 ms … 10 s.
    static let durationBounds: [Double] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1,
                                           2.5, 5, 10]
}
