import Glibc
import PluginABI
import Synchronization

/// Metrics on `GET /metrics` through the metrics plugin's "metrics.v1" service
/// (`pattern_metrics_service.h`). Define them in `setUp`, update them anywhere:
///
/// ```swift
/// let logins = host.metrics.counter("auth_logins_total", help: "Login attempts by result.", labels: ["result"])
/// logins.increment(["success"])
/// ```
///
/// The service is looked up on first use (plugins do not require the metrics plugin, and
/// services are only complete once every plugin has started), retried at most once a second
/// while absent. Without the metrics plugin every call is a cheap no-op.
public final class Metrics: Sendable {
    private let service: ServiceConnection

    init(table: HostTableReference) {
        service = ServiceConnection(table: table)
    }

    public func counter(_ name: String, help: String, labels: [String] = []) -> Counter {
        Counter(Metric(service, PATTERN_METRIC_COUNTER, name, help, labels, []))
    }

    public func gauge(_ name: String, help: String, labels: [String] = []) -> Gauge {
        Gauge(Metric(service, PATTERN_METRIC_GAUGE, name, help, labels, []))
    }

    /// `buckets`: increasing upper bounds; empty chooses 0.0005 … 10 (seconds).
    public func histogram(_ name: String, help: String, labels: [String] = [], buckets: [Double] = []) -> Histogram {
        Histogram(Metric(service, PATTERN_METRIC_HISTOGRAM, name, help, labels, buckets))
    }

    /// A counter: only goes up. Label values come in the order of the label names.
    public struct Counter: Sendable {
        fileprivate let metric: Metric
        fileprivate init(_ metric: Metric) { self.metric = metric }
        public func increment(_ labelValues: [String] = [], by delta: Double = 1) { metric.call(.add, labelValues, delta) }
    }

    public struct Gauge: Sendable {
        fileprivate let metric: Metric
        fileprivate init(_ metric: Metric) { self.metric = metric }
        public func set(_ value: Double, _ labelValues: [String] = []) { metric.call(.set, labelValues, value) }
        public func add(_ delta: Double, _ labelValues: [String] = []) { metric.call(.add, labelValues, delta) }
    }

    public struct Histogram: Sendable {
        fileprivate let metric: Metric
        fileprivate init(_ metric: Metric) { self.metric = metric }
        public func observe(_ value: Double, _ labelValues: [String] = []) { metric.call(.observe, labelValues, value) }
    }
}

extension PluginHost {
    /// This plugin's metrics; keep the counters, gauges and histograms it makes.
    public var metrics: Metrics { Metrics(table: table) }
}

/// The "metrics.v1" vtable once found; lookups are retried at most once a second until then.
private final class ServiceConnection: Sendable {
    private let table: HostTableReference
    private let vtable = Atomic<UInt>(0)
    private let nextAttempt = Atomic<UInt64>(0)

    init(table: HostTableReference) { self.table = table }

    var resolved: UnsafePointer<pattern_metrics_v1>? {
        if let found = UnsafePointer<pattern_metrics_v1>(bitPattern: vtable.load(ordering: .acquiring)) {
            return found
        }
        let now = Self.monotonicNanoseconds()
        let due = nextAttempt.load(ordering: .relaxed)
        guard now >= due, nextAttempt.compareExchange(expected: due, desired: now + 1_000_000_000,
                                                      ordering: .relaxed).exchanged
        else { return nil }
        guard let raw = table.lookupService(PATTERN_METRICS_SERVICE_V1),
              raw.load(as: UInt32.self) >= MemoryLayout<pattern_metrics_v1>.size
        else { return nil }
        vtable.store(UInt(bitPattern: raw), ordering: .releasing)
        return raw.assumingMemoryBound(to: pattern_metrics_v1.self)
    }

    private static func monotonicNanoseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
    }
}

/// One family's definition and, once defined in the service, its handle.
private final class Metric: Sendable {
    enum Operation { case add, set, observe }

    let service: ServiceConnection
    let type: Int32
    let name: String
    let help: String
    let labels: [String]
    let buckets: [Double]
    /// The family handle (0 until defined; `UInt.max` when the service refused the definition).
    private let family = Atomic<UInt>(0)

    init(_ service: ServiceConnection, _ type: Int32, _ name: String, _ help: String, _ labels: [String],
         _ buckets: [Double]) {
        self.service = service
        self.type = type
        self.name = name
        self.help = help
        self.labels = labels
        self.buckets = buckets
    }

    func call(_ operation: Operation, _ labelValues: [String], _ value: Double) {
        guard let vtable = service.resolved, let family = resolveFamily(vtable) else { return }
        let api = vtable.pointee
        _ = withABIStrings(labelValues) { values, count in
            switch operation {
            case .add: api.add(family, values, count, value)
            case .set: api.set(family, values, count, value)
            case .observe: api.observe(family, values, count, value)
            }
        }
    }

    private func resolveFamily(_ vtable: UnsafePointer<pattern_metrics_v1>) -> OpaquePointer? {
        let known = family.load(ordering: .acquiring)
        if known == UInt.max { return nil }
        if known != 0 { return OpaquePointer(bitPattern: known) }
        var handle: OpaquePointer?
        let status = withABIString(name) { nameText in
            withABIString(help) { helpText in
                withABIStrings(labels) { labelViews, labelCount in
                    buckets.withUnsafeBufferPointer { bounds in
                        vtable.pointee.define(type, nameText, helpText, labelViews, labelCount,
                                              bounds.baseAddress, bounds.count, &handle)
                    }
                }
            }
        }
        let value = status == PATTERN_OK ? UInt(bitPattern: handle) : UInt.max
        family.store(value == 0 ? UInt.max : value, ordering: .releasing)
        return value == 0 || value == UInt.max ? nil : handle
    }
}

/// Borrowed `pattern_str` views of `strings`, valid only inside `body`.
func withABIStrings<R>(_ strings: [String], _ body: (UnsafePointer<pattern_str>?, Int) -> R) -> R {
    if strings.isEmpty { return body(nil, 0) }
    let arena = strings.flatMap { Array($0.utf8) }
    return arena.withUnsafeBufferPointer { bytes in
        var offset = 0
        let views = strings.map { text -> pattern_str in
            let count = text.utf8.count
            defer { offset += count }
            let start = bytes.baseAddress.map { UnsafeRawPointer($0 + offset).assumingMemoryBound(to: CChar.self) }
            return pattern_str(ptr: count == 0 ? nil : start, len: count)
        }
        return views.withUnsafeBufferPointer { body($0.baseAddress, $0.count) }
    }
}
