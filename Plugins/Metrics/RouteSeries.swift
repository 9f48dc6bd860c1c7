/// One thread's counters for one (method, route template): responses by status, latency and
/// body sizes. Only the thread that created it records into it; scrapes add up the threads'.
final class RouteSeries: Sendable {
    struct Key: Hashable, Sendable {
        let method: UInt8
        let route: String
    }

    /// The API's latency buckets as rendered (`HistogramCells.durationBounds`, 0.5 ms … 10 s)
    /// and in the nanoseconds they are counted in.
    static let durationBounds = HistogramCells.durationBounds
    private static let durationNanoseconds = durationBounds.map { UInt64(($0 * 1e9).rounded()) }
    /// Body sizes, 64 B … 16 MiB (powers of four), counted in bytes and rendered as numbers.
    private static let sizeBytes: [UInt64] = [64, 256, 1024, 4096, 16384, 65536, 262_144, 1_048_576, 4_194_304,
                                              16_777_216]
    static let sizeBounds = sizeBytes.map { Double($0) }

    let key: Key
    let statuses = StatusCounts()
    let duration = BucketCounts<15>()
    let requestSize = BucketCounts<11>()
    let responseSize = BucketCounts<11>()

    init(key: Key) {
        precondition(Self.durationBounds.count == 14 && Self.sizeBounds.count == 10, "bucket counts and bounds disagree")
        self.key = key
    }

    func record(status: Int, seconds: Double, requestBytes: Int, responseBytes: Int) {
        statuses.record(status)
        duration.record(UInt64(max(0, seconds) * 1e9), bounds: Self.durationNanoseconds)
        requestSize.record(UInt64(max(0, requestBytes)), bounds: Self.sizeBytes)
        responseSize.record(UInt64(max(0, responseBytes)), bounds: Self.sizeBytes)
    }

    var labels: [(String, String)] {
        [("method", HTTPMethodLabel.names[Int(key.method)]), ("route", key.route)]
    }
}
