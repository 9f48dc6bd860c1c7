/// A map with a fixed capacity that forgets its least recently used entry when full, and can
/// drop idle entries from its old end: per-client state (rate limits, throttles) whose memory
/// must stay bounded whatever clients send. Not synchronised: wrap it in a `Mutex`.
/// Every operation is O(1) (amortised), plus the entries a sweep removes.
/// Inlinable so that plugins get it specialised for their key type: unspecialised generic
/// code looks up type metadata at run time and costs an order of magnitude more per call.
public struct BoundedLRUTable<Key: Hashable, Value> {
    public let capacity: Int
    @usableFromInline var index: [Key: Int32] = [:]
    @usableFromInline var slots: [Slot] = []
    @usableFromInline var free: [Int32] = []
    /// Most recently used, least recently used (-1 when empty).
    @usableFromInline var head: Int32 = -1
    @usableFromInline var tail: Int32 = -1

    @usableFromInline struct Slot {
        @usableFromInline var key: Key?
        @usableFromInline var value: Value?
        @usableFromInline var newer: Int32
        @usableFromInline var older: Int32

        @inlinable init(key: Key?, value: Value?, newer: Int32, older: Int32) {
            self.key = key
            self.value = value
            self.newer = newer
            self.older = older
        }
    }

    @inlinable public init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    @inlinable public var count: Int { index.count }

    /// The value for `key`, marking it most recently used.
    @inlinable public mutating func value(for key: Key) -> Value? {
        guard let slot = index[key] else { return nil }
        moveToFront(slot)
        return slots[Int(slot)].value
    }

    /// Sets the value for `key` (most recently used). Returns how many entries were evicted
    /// to make room (0 or 1).
    @discardableResult
    @inlinable public mutating func set(_ value: Value, for key: Key) -> Int {
        if let slot = index[key] {
            slots[Int(slot)].value = value
            moveToFront(slot)
            return 0
        }
        var evicted = 0
        if index.count >= capacity {
            removeSlot(tail)
            evicted = 1
        }
        let slot: Int32
        if let reused = free.popLast() {
            slot = reused
            slots[Int(slot)] = Slot(key: key, value: value, newer: -1, older: -1)
        } else {
            slot = Int32(slots.count)
            slots.append(Slot(key: key, value: value, newer: -1, older: -1))
        }
        index[key] = slot
        linkAtFront(slot)
        return evicted
    }

    @discardableResult
    @inlinable public mutating func removeValue(for key: Key) -> Value? {
        guard let slot = index[key] else { return nil }
        let value = slots[Int(slot)].value
        removeSlot(slot)
        return value
    }

    /// Removes up to `limit` entries from the least recently used end while `isIdle` holds
    /// for them; returns how many it removed.
    @discardableResult
    @inlinable public mutating func removeIdle(limit: Int, _ isIdle: (Value) -> Bool) -> Int {
        var removed = 0
        while removed < limit, tail >= 0, let value = slots[Int(tail)].value, isIdle(value) {
            removeSlot(tail)
            removed += 1
        }
        return removed
    }

    /// Keys from most to least recently used (for tests and diagnostics).
    @inlinable public var keysByRecency: [Key] {
        var keys: [Key] = []
        var slot = head
        while slot >= 0 {
            if let key = slots[Int(slot)].key { keys.append(key) }
            slot = slots[Int(slot)].older
        }
        return keys
    }

    @inlinable mutating func removeSlot(_ slot: Int32) {
        unlink(slot)
        if let key = slots[Int(slot)].key { index.removeValue(forKey: key) }
        slots[Int(slot)].key = nil
        slots[Int(slot)].value = nil
        free.append(slot)
    }

    @inlinable mutating func moveToFront(_ slot: Int32) {
        guard slot != head else { return }
        unlink(slot)
        linkAtFront(slot)
    }

    @inlinable mutating func linkAtFront(_ slot: Int32) {
        slots[Int(slot)].older = head
        slots[Int(slot)].newer = -1
        if head >= 0 { slots[Int(head)].newer = slot }
        head = slot
        if tail < 0 { tail = slot }
    }

    @inlinable mutating func unlink(_ slot: Int32) {
        let newer = slots[Int(slot)].newer
        let older = slots[Int(slot)].older
        if newer >= 0 { slots[Int(newer)].older = older } else { head = older }
        if older >= 0 { slots[Int(older)].newer = newer } else { tail = newer }
        slots[Int(slot)].newer = -1
        slots[Int(slot)].older = -1
    }
}

extension BoundedLRUTable: Sendable where Key: Sendable, Value: Sendable {}
extension BoundedLRUTable.Slot: Sendable where Key: Sendable, Value: Sendable {}
