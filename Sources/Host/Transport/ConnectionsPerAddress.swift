import Synchronization

/// How many connections each client address holds across every event loop, so that one
/// address (slow bodies, idle keep-alives) cannot take all of `max_connections` and lock
/// everyone else out. Entries exist only while an address holds connections, so the table
/// is bounded by `max_connections`.
final class ConnectionsPerAddress: Sendable {
    enum Admission: Equatable {
        case admitted
        /// Not counted: the address is exempt (e.g. the deployment's reverse proxy).
        case exempt
        /// Over the cap; `log` is true at most once per second per address.
        case refused(log: Bool)
    }

    private struct Entry {
        var count: Int
        var lastRefusalLogged: UInt64?
    }

    private let limit: Int
    private let exempt: Set<String>
    private let table = Mutex<[String: Entry]>([:])

    init(limit: Int, exempt: [String]) {
        self.limit = limit
        self.exempt = Set(exempt.compactMap(ClientAddress.normalized))
    }

    /// Counts a new connection from `address` unless it is over the cap; `now` in monotonic ms.
    func admit(_ address: String, now: UInt64) -> Admission {
        if exempt.contains(address) { return .exempt }
        return table.withLock { table in
            guard var entry = table[address] else {
                table[address] = Entry(count: 1)
                return .admitted
            }
            guard entry.count >= limit else {
                entry.count += 1
                table[address] = entry
                return .admitted
            }
            let log = entry.lastRefusalLogged.map { now &- $0 >= 1000 } ?? true
            if log {
                entry.lastRefusalLogged = now
                table[address] = entry
            }
            return .refused(log: log)
        }
    }

    /// Forgets one admitted connection of `address`.
    func release(_ address: String) {
        table.withLock { table in
            guard let count = table[address]?.count else { return }
            if count <= 1 { table[address] = nil } else { table[address]!.count = count - 1 }
        }
    }

    func connections(of address: String) -> Int { table.withLock { $0[address]?.count ?? 0 } }
}
