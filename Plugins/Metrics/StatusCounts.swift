import Synchronization

/// Responses per status code for one route: lock-free cells for the codes an API answers
/// most, a small locked map for the rest.
final class StatusCounts: Sendable {
    private static let common = [200, 201, 202, 204, 301, 302, 304, 400, 401, 403, 404, 405, 409, 413, 415, 422,
                                 429, 500, 502, 503]
    private static let slot: [Int: Int] = Dictionary(uniqueKeysWithValues: common.enumerated().map { ($1, $0) })
    private let cells = StatusCounts.common.map { _ in AtomicCount() }
    private let others = Mutex<[Int: UInt64]>([:])

    func record(_ status: Int) {
        if let index = Self.slot[status] {
            cells[index].add()
        } else {
            others.withLock { $0[status, default: 0] += 1 }
        }
    }

    /// (status, count) for every status seen, by status.
    var counts: [(Int, UInt64)] {
        var all = zip(Self.common, cells.map(\.current)).filter { $0.1 > 0 }
        all += others.withLock { $0.map { ($0.key, $0.value) } }
        return all.sorted { $0.0 < $1.0 }
    }
}
