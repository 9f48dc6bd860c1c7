import Glibc

/// One thread's map from (method, host route id) to the series that thread records into:
/// open addressing over integer keys. Each thread's table lives in thread-local storage and
/// no other thread touches it, so a lookup takes no lock; it is reached through a pointer
/// rather than as a class instance, which also spares it the runtime's exclusivity checks.
struct ThreadSeriesTable {
    private struct Entry {
        let method: UInt8
        let routeID: UInt
        let series: RouteSeries
    }

    /// Power-of-two sized, at most half full.
    private var slots = [Entry?](repeating: nil, count: 16)
    private var count = 0

    /// The calling thread's table under `key`, created on first use.
    static func current(_ key: pthread_key_t) -> UnsafeMutablePointer<ThreadSeriesTable> {
        if let stored = pthread_getspecific(key) { return stored.assumingMemoryBound(to: ThreadSeriesTable.self) }
        let table = UnsafeMutablePointer<ThreadSeriesTable>.allocate(capacity: 1)
        table.initialize(to: ThreadSeriesTable())
        pthread_setspecific(key, table)
        return table
    }

    /// A key whose tables are freed when their thread exits.
    static func makeKey() -> pthread_key_t {
        var key = pthread_key_t()
        pthread_key_create(&key) { stored in
            guard let table = stored?.assumingMemoryBound(to: ThreadSeriesTable.self) else { return }
            table.deinitialize(count: 1)
            table.deallocate()
        }
        return key
    }

    func series(method: UInt8, routeID: UInt) -> RouteSeries? {
        var index = slot(method, routeID)
        while let entry = slots[index] {
            if entry.routeID == routeID && entry.method == method { return entry.series }
            index = (index + 1) & (slots.count - 1)
        }
        return nil
    }

    mutating func insert(_ series: RouteSeries, method: UInt8, routeID: UInt) {
        if (count + 1) * 2 > slots.count {
            let entries = slots.compactMap { $0 }
            slots = [Entry?](repeating: nil, count: slots.count * 2)
            for entry in entries { place(entry) }
        }
        place(Entry(method: method, routeID: routeID, series: series))
        count += 1
    }

    private mutating func place(_ entry: Entry) {
        var index = slot(entry.method, entry.routeID)
        while slots[index] != nil { index = (index + 1) & (slots.count - 1) }
        slots[index] = entry
    }

    /// Fibonacci hashing of the route id (an address) mixed with the method.
    private func slot(_ method: UInt8, _ routeID: UInt) -> Int {
        let mixed = (routeID ^ UInt(method)) &* 0x9E37_79B9_7F4A_7C15
        return Int(truncatingIfNeeded: mixed >> 32) & (slots.count - 1)
    }
}
