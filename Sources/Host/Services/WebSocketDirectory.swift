import Synchronization

/// Finds the event loop of a WebSocket connection id (its top byte) and knows which ids are
/// live, so plugins and the event socket can send to a connection from any thread.
final class WebSocketDirectory: Sendable {
    private let loops = Mutex<[EventLoop]>([])
    private let live = Mutex<Set<UInt64>>([])

    func attach(_ loops: [EventLoop]) { self.loops.withLock { $0 = loops } }

    func opened(_ id: UInt64) { _ = live.withLock { $0.insert(id) } }
    func closed(_ id: UInt64) { _ = live.withLock { $0.remove(id) } }
    func isLive(_ id: UInt64) -> Bool { live.withLock { $0.contains(id) } }

    /// Queues a frame for one connection; false when the id is not live.
    @discardableResult
    func send(_ frame: [UInt8], to id: UInt64) -> Bool {
        guard isLive(id), let loop = loop(of: id) else { return false }
        loop.post(.webSocketSend(id, frame: frame))
        return true
    }

    /// One frame to many connections: one message per loop, the frame encoded once.
    func broadcast(_ frame: [UInt8], to ids: [UInt64]) {
        var byLoop: [Int: [UInt64]] = [:]
        for id in ids { byLoop[Int(id >> 56), default: []].append(id) }
        let loops = self.loops.withLock { $0 }
        for (index, group) in byLoop where index < loops.count {
            loops[index].post(.webSocketBroadcast(group, frame: frame))
        }
    }

    func close(_ id: UInt64, code: UInt16, reason: String) -> Bool {
        guard isLive(id), let loop = loop(of: id) else { return false }
        loop.post(.webSocketClose(id, code: code, reason: reason))
        return true
    }

    private func loop(of id: UInt64) -> EventLoop? {
        let index = Int(id >> 56)
        return loops.withLock { index < $0.count ? $0[index] : nil }
    }
}
