/// An event loop's timers: a binary min-heap of deadlines (monotonic ms). Cancelling marks the
/// entry dead instead of searching the heap; dead entries are dropped when they reach the top.
/// Loop thread only.
struct TimerQueue {
    typealias Token = UInt64

    private struct Entry {
        let due: UInt64
        let token: Token
    }

    private var heap: [Entry] = []
    private var actions: [Token: () -> Void] = [:]
    private var nextToken: Token = 0

    var count: Int { actions.count }

    /// Runs `action` on the loop at `due` (or at the first turn after it).
    mutating func schedule(at due: UInt64, _ action: @escaping () -> Void) -> Token {
        nextToken += 1
        actions[nextToken] = action
        heap.append(Entry(due: due, token: nextToken))
        siftUp(heap.count - 1)
        return nextToken
    }

    mutating func cancel(_ token: Token) {
        actions[token] = nil
        // Timeouts are mostly cancelled long before they fall due: keep the dead from piling up.
        if heap.count > 2 * actions.count + 64 {
            heap.removeAll { actions[$0.token] == nil }
            for index in stride(from: heap.count / 2 - 1, through: 0, by: -1) { siftDown(index) }
        }
    }

    /// Milliseconds until the earliest live deadline, at most `limit`.
    mutating func wait(now: UInt64, limit: Int32) -> Int32 {
        dropDeadTop()
        guard let first = heap.first else { return limit }
        return first.due <= now ? 0 : Int32(min(UInt64(limit), first.due - now))
    }

    /// The newest token handed out: `popDue(now:through:)` with it leaves timers scheduled by
    /// the actions it returns for the next turn.
    var lastToken: Token { nextToken }

    /// Removes and returns the earliest action due by `now` among those scheduled up to
    /// `through`. One at a time, so an action that cancels another timer due in the same turn
    /// (a call's total timeout ending it while its phase timeout is due too) stops it from
    /// running after its owner is gone.
    mutating func popDue(now: UInt64, through limit: Token) -> (() -> Void)? {
        dropDeadTop()
        guard let first = heap.first, first.due <= now, first.token <= limit else { return nil }
        popTop()
        return actions.removeValue(forKey: first.token)
    }

    private mutating func dropDeadTop() {
        while let first = heap.first, actions[first.token] == nil { popTop() }
    }

    private mutating func popTop() {
        heap.swapAt(0, heap.count - 1)
        heap.removeLast()
        if !heap.isEmpty { siftDown(0) }
    }

    private mutating func siftUp(_ start: Int) {
        var child = start
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].due < heap[parent].due else { return }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    private mutating func siftDown(_ start: Int) {
        var parent = start
        while true {
            let left = 2 * parent + 1
            guard left < heap.count else { return }
            var smallest = left
            if left + 1 < heap.count && heap[left + 1].due < heap[left].due { smallest = left + 1 }
            guard heap[smallest].due < heap[parent].due else { return }
            heap.swapAt(smallest, parent)
            parent = smallest
        }
    }
}
