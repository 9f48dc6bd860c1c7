import Synchronization

/// The families defined through "metrics.v1", by name. Names the plugin renders itself
/// (HTTP, process, build) are reserved.
final class MetricRegistry: Sendable {
    enum DefineError: Error, Equatable {
        case invalid(String)
        case conflict(String)
    }

    static let maxSeriesPerFamily = 1000
    static let maxLabels = 8
    static let maxBuckets = 32

    private let families = Mutex<[String: MetricFamily]>([:])
    private let reserved: Set<String>

    init(reserved: Set<String>) {
        self.reserved = reserved
    }

    func define(_ type: PrometheusText.FamilyType, name: String, help: String, labelNames: [String],
                bounds requested: [Double]) throws(DefineError) -> MetricFamily {
        if let problem = MetricName.problem(family: name, type: type) { throw .invalid(problem) }
        guard labelNames.count <= Self.maxLabels else { throw .invalid("at most \(Self.maxLabels) labels") }
        for label in labelNames {
            if let problem = MetricName.problem(label: label) { throw .invalid(problem) }
        }
        guard Set(labelNames).count == labelNames.count else { throw .invalid("label names repeat") }
        let bounds = type == .histogram ? (requested.isEmpty ? HistogramCells.durationBounds : requested) : []
        guard bounds.count <= Self.maxBuckets, bounds.allSatisfy(\.isFinite),
              zip(bounds, bounds.dropFirst()).allSatisfy({ $0 < $1 })
        else { throw .invalid("buckets must be at most \(Self.maxBuckets) finite, strictly increasing bounds") }
        guard !reserved.contains(name) else { throw .conflict("\(name) is the metrics plugin's own") }
        return try families.withLock { families throws(DefineError) in
            if let existing = families[name] {
                guard existing.hasSameDefinition(type: type, labelNames: labelNames, bounds: bounds) else {
                    throw .conflict("\(name) is already defined differently")
                }
                return existing
            }
            let family = MetricFamily(name: name, help: help, type: type, labelNames: labelNames, bounds: bounds,
                                      maxSeries: Self.maxSeriesPerFamily)
            families[name] = family
            return family
        }
    }

    /// Families sorted by name.
    var all: [MetricFamily] {
        families.withLock { Array($0.values) }.sorted { $0.name < $1.name }
    }
}
