import PluginABI
import PluginKit

/// The "metrics.v1" vtable (pattern_metrics_service.h) over the plugin's registry.
/// C function pointers capture nothing, so they reach the registry through `Exposition.shared`.
enum MetricsService {
    /// Allocated once, never freed: the host hands this pointer to other plugins.
    static let vtable = ServiceVTable(pointer: {
        let table = UnsafeMutablePointer<pattern_metrics_v1>.allocate(capacity: 1)
        table.initialize(to: pattern_metrics_v1(
            struct_size: UInt32(MemoryLayout<pattern_metrics_v1>.size),
            define: { type, name, help, labels, labelCount, buckets, bucketCount, out in
                MetricsService.define(type, name, help, labels, labelCount, buckets, bucketCount, out)
            },
            add: { family, values, count, delta in
                MetricsService.update(family, values, count) { family, series in
                    guard family.type != .histogram else { return PATTERN_INVALID }
                    guard delta.isFinite, family.type != .counter || delta >= 0 else { return PATTERN_INVALID }
                    series.value.add(delta)
                    return PATTERN_OK
                }
            },
            set: { family, values, count, value in
                MetricsService.update(family, values, count) { family, series in
                    guard family.type == .gauge, !value.isNaN else { return PATTERN_INVALID }
                    series.value.set(value)
                    return PATTERN_OK
                }
            },
            observe: { family, values, count, value in
                MetricsService.update(family, values, count) { family, series in
                    guard let histogram = series.histogram, !value.isNaN else { return PATTERN_INVALID }
                    histogram.observe(value)
                    return PATTERN_OK
                }
            }))
        return UnsafeRawPointer(table)
    }())

    private static func define(
        _ type: Int32, _ name: pattern_str, _ help: pattern_str, _ labels: UnsafePointer<pattern_str>?,
        _ labelCount: Int, _ buckets: UnsafePointer<Double>?, _ bucketCount: Int,
        _ out: UnsafeMutablePointer<OpaquePointer?>?
    ) -> pattern_status {
        let kinds: [Int32: PrometheusText.FamilyType] = [
            PATTERN_METRIC_COUNTER: .counter, PATTERN_METRIC_GAUGE: .gauge, PATTERN_METRIC_HISTOGRAM: .histogram,
        ]
        guard let out, let kind = kinds[type], labelCount <= MetricRegistry.maxLabels,
              bucketCount <= MetricRegistry.maxBuckets, labelCount == 0 || labels != nil,
              bucketCount == 0 || buckets != nil
        else { return PATTERN_INVALID }
        let labelNames = (0..<labelCount).map { labels![$0].string }
        let bounds = (0..<bucketCount).map { buckets![$0] }
        do {
            let family = try Exposition.shared.registry.define(
                kind, name: name.string, help: help.string, labelNames: labelNames, bounds: bounds)
            out.pointee = OpaquePointer(Unmanaged.passUnretained(family).toOpaque())
            return PATTERN_OK
        } catch {
            switch error {
            case .invalid: return PATTERN_INVALID
            case .conflict: return PATTERN_CONFLICT
            }
        }
    }

    private static func update(
        _ handle: OpaquePointer?, _ values: UnsafePointer<pattern_str>?, _ count: Int,
        _ apply: (MetricFamily, MetricFamily.Series) -> pattern_status
    ) -> pattern_status {
        guard let handle else { return PATTERN_INVALID }
        let family = Unmanaged<MetricFamily>.fromOpaque(UnsafeRawPointer(handle)).takeUnretainedValue()
        guard count == family.labelNames.count, count == 0 || values != nil else { return PATTERN_INVALID }
        let labelValues = (0..<count).map { values![$0].string }
        guard let series = family.series(labelValues) else { return PATTERN_BUSY }
        return apply(family, series)
    }
}
