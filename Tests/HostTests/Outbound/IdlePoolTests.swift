import Testing

@testable import Host

@Suite struct IdlePoolTests {
    final class Conn {
        let name: String
        init(_ name: String) { self.name = name }
    }

    @Test func reusesTheMostRecentFirstPerOrigin() {
        var pool = IdlePool<Conn>(maxIdleMilliseconds: 1000, maxPerOrigin: 4)
        let a = Conn("a"), b = Conn("b"), c = Conn("c")
        let surplus = [pool.put(a, origin: "x", now: 0), pool.put(b, origin: "x", now: 10), pool.put(c, origin: "y", now: 10)]
        #expect(surplus.allSatisfy { $0 == nil })
        let first = pool.take(origin: "x"), second = pool.take(origin: "x"), third = pool.take(origin: "x")
        #expect(first === b && second === a && third == nil)
        #expect(pool.count == 1)
    }

    @Test func evictsWhatWaitedTooLongAndOnlyThat() {
        var pool = IdlePool<Conn>(maxIdleMilliseconds: 1000, maxPerOrigin: 4)
        let old = Conn("old"), fresh = Conn("fresh"), other = Conn("other")
        _ = pool.put(old, origin: "x", now: 0)
        _ = pool.put(fresh, origin: "x", now: 900)
        _ = pool.put(other, origin: "y", now: 100)
        let none = pool.evict(now: 999)
        #expect(none.isEmpty)
        let first = pool.evict(now: 1000)
        #expect(first.count == 1 && first[0] === old)
        let second = pool.evict(now: 1100)
        #expect(second.count == 1 && second[0] === other)
        let left = pool.take(origin: "x")
        #expect(left === fresh && pool.count == 0)
    }

    @Test func capsEachOriginAndHandsBackTheSurplus() {
        var pool = IdlePool<Conn>(maxIdleMilliseconds: 1000, maxPerOrigin: 2)
        let conns = (0..<3).map { Conn("\($0)") }
        let surplus = [pool.put(conns[0], origin: "x", now: 0), pool.put(conns[1], origin: "x", now: 1),
                       pool.put(conns[2], origin: "x", now: 2)]
        #expect(surplus[0] == nil && surplus[1] == nil && surplus[2] === conns[0])
        #expect(pool.count == 2)
    }

    @Test func removeForgetsAClosedConnection() {
        var pool = IdlePool<Conn>(maxIdleMilliseconds: 1000, maxPerOrigin: 2)
        let a = Conn("a")
        _ = pool.put(a, origin: "x", now: 0)
        let removed = pool.remove(a, origin: "x"), again = pool.remove(a, origin: "x")
        let rest = pool.removeAll()
        #expect(removed && !again && pool.count == 0 && rest.isEmpty)
    }
}
