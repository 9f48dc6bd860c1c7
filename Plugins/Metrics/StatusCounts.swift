import Synchronization

/// Responses per status code for one thread's series: cells for the codes an API answers
/// most (see `addFromOwner`), a small locked map for the rest.
struct StatusCounts: ~Copyable, Sendable {
    private static let common = [200, 201, 202, 204, 301, 302, 304, 400, 401, 403, 404, 405, 409, 413, 415, 422,
                                 429, 500, 502, 503]
    /// Status → its cell + 1 (0: not a common one), so finding the cell is one array read.
    private static let cellByStatus: [UInt8] = (0..<600).map { status in
        common.firstIndex(of: status).map { UInt8($0 + 1) } ?? 0
    }
    private let cells: [20 of Atomic<UInt64>]
    private let others = Mutex<[Int: UInt64]>([:])

    init() { cells = InlineArray { _ in Atomic<UInt64>(0) } }

    func record(_ status: Int) {
        let cell = Self.cellByStatus.indices.contains(status) ? Int(Self.cellByStatus[status]) : 0
        if cell > 0 {
            cells[cell - 1].addFromOwner(1)
        } else {
            others.withLock { $0[status, default: 0] += 1 }
        }
    }

    /// (status, count) for every status seen.
    var counts: [(Int, UInt64)] {
        var all = Self.common.indices.map { (Self.common[$0], cells[$0].load(ordering: .relaxed)) }.filter { $0.1 > 0 }
        all += others.withLock { $0.map { ($0.key, $0.value) } }
        return all
    }
}
