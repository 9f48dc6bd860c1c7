import Testing
@testable import RateLimitBuckets

@Suite struct BoundedLRUTableTests {
    @Test func neverHoldsMoreThanItsCapacityAndEvictsTheLeastRecentlyUsed() {
        var table = BoundedLRUTable<String, Int>(capacity: 3)
        #expect(table.set(1, for: "a") == 0)
        table.set(2, for: "b")
        table.set(3, for: "c")
        #expect(table.value(for: "a") == 1)  // a is now the most recent; b the oldest
        #expect(table.set(4, for: "d") == 1)
        #expect(table.count == 3)
        #expect(table.value(for: "b") == nil)
        #expect(table.keysByRecency == ["d", "a", "c"])
    }

    @Test func updatingAKeyKeepsOneEntryAndRefreshesIt() {
        var table = BoundedLRUTable<Int, Int>(capacity: 2)
        table.set(1, for: 1)
        table.set(2, for: 2)
        table.set(10, for: 1)
        #expect(table.count == 2)
        table.set(3, for: 3)
        #expect(table.value(for: 1) == 10)
        #expect(table.value(for: 2) == nil)
    }

    @Test func removeIdleStopsAtTheFirstBusyEntryAndRespectsTheLimit() {
        var table = BoundedLRUTable<Int, Int>(capacity: 10)
        for key in 0..<6 { table.set(key < 4 ? 0 : 100, for: key) }  // 0…3 idle (oldest), 4, 5 busy
        #expect(table.removeIdle(limit: 2) { $0 < 50 } == 2)
        #expect(table.count == 4)
        #expect(table.removeIdle(limit: 10) { $0 < 50 } == 2)
        #expect(table.keysByRecency == [5, 4])
        #expect(table.removeIdle(limit: 10) { $0 < 50 } == 0)
    }

    @Test func slotsAreReusedSoChurnDoesNotGrowIt() {
        var table = BoundedLRUTable<Int, Int>(capacity: 100)
        for key in 0..<100_000 { table.set(key, for: key) }
        #expect(table.count == 100)
        #expect(table.value(for: 99_999) == 99_999)
        #expect(table.value(for: 0) == nil)
        for key in 99_900..<100_000 { #expect(table.removeValue(for: key) == key) }
        #expect(table.count == 0)
        #expect(table.keysByRecency.isEmpty)
        table.set(7, for: 7)
        #expect(table.keysByRecency == [7])
    }

    @Test func capacityIsAtLeastOne() {
        var table = BoundedLRUTable<Int, Int>(capacity: 0)
        table.set(1, for: 1)
        table.set(2, for: 2)
        #expect(table.count == 1 && table.value(for: 2) == 2)
    }
}
