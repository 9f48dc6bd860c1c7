import Synchronization

/// A family other plugins defined through "metrics.v1": its label names and its series by
/// label values, kept in hash-sharded maps so concurrent updates rarely meet on one lock.
/// Bounded: at most `maxSeries` label combinations.
final class MetricFamily: Sendable {
    let name: String
    let help: String
    let type: PrometheusText.FamilyType
    let labelNames: [String]
    /// Histograms only.
    let bounds: [Double]
    let maxSeries: Int

    /// A counter or gauge value, or a histogram.
    final class Series: Sendable {
        let labelValues: [String]
        let value = AtomicDouble()
        let histogram: HistogramCells?

        init(labelValues: [String], bounds: [Double]?) {
            self.labelValues = labelValues
            histogram = bounds.map(HistogramCells.init)
        }
    }

    private final class Shard: Sendable {
        let series = Mutex<[[String]: Series]>([:])
    }

    private static let shardCount = 8
    private let shards = (0..<MetricFamily.shardCount).map { _ in Shard() }
    private let seriesCount = Atomic<Int>(0)

    init(name: String, help: String, type: PrometheusText.FamilyType, labelNames: [String], bounds: [Double],
         maxSeries: Int) {
        self.name = name
        self.help = help
        self.type = type
        self.labelNames = labelNames
        self.bounds = bounds
        self.maxSeries = maxSeries
    }

    func hasSameDefinition(type: PrometheusText.FamilyType, labelNames: [String], bounds: [Double]) -> Bool {
        self.type == type && self.labelNames == labelNames && (type != .histogram || self.bounds == bounds)
    }

    /// The series for these label values, created on first use; nil when the family is full.
    func series(_ labelValues: [String]) -> Series? {
        var hasher = Hasher()
        hasher.combine(labelValues)
        let shard = shards[Int(UInt(bitPattern: hasher.finalize()) % UInt(Self.shardCount))]
        return shard.series.withLock { map in
            if let existing = map[labelValues] { return existing }
            guard seriesCount.add(1, ordering: .relaxed).newValue <= maxSeries else {
                seriesCount.subtract(1, ordering: .relaxed)
                return nil
            }
            let created = Series(labelValues: labelValues, bounds: type == .histogram ? bounds : nil)
            map[labelValues] = created
            return created
        }
    }

    /// Every series, sorted by label values (each shard's lock is held only to copy references).
    var allSeries: [Series] {
        shards.flatMap { shard in shard.series.withLock { Array($0.values) } }
            .sorted { $0.labelValues.lexicographicallyPrecedes($1.labelValues) }
    }

    func render(into text: inout PrometheusText) {
        text.family(name, type, help: help)
        for series in allSeries {
            let labels = Array(zip(labelNames, series.labelValues))
            if let histogram = series.histogram {
                text.histogram(name, labels, bounds: bounds, histogram.snapshot)
            } else {
                text.sample(name, labels, series.value.current)
            }
        }
    }
}
