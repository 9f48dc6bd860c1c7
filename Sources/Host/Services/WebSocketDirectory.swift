import Synchronization

/// Finds the event loop of a WebSocket connection id (its top byte) and knows which ids are
/// live and whose login opened them, so plugins and the event socket can send to a connection
/// from any thread and an ended login closes its sockets.
final class WebSocketDirectory: Sendable {
    /// The login a connection was opened with; nil for anonymous connections.
    struct Owner: Sendable, Equatable {
        let userID: String
        var sessionID: String?
    }

    /// The close code and reasons of a socket whose login ended (ABI: PATTERN_WS_CLOSE_UNAUTHORIZED).
    static let unauthorizedCloseCode: UInt16 = 4401

    private let loops = Mutex<[EventLoop]>([])
    private let live = Mutex<[UInt64: Owner?]>([:])

    func attach(_ loops: [EventLoop]) { self.loops.withLock { $0 = loops } }

    func opened(_ id: UInt64, owner: Owner?) { live.withLock { $0[id] = .some(owner) } }
    func closed(_ id: UInt64) { _ = live.withLock { $0.removeValue(forKey: id) } }
    func isLive(_ id: UInt64) -> Bool { live.withLock { $0[id] != nil } }

    /// A connection moved to a fresh credential of the same user (the event socket's
    /// `authenticate` command): later revocations match its new session, and it expires then.
    func renewed(_ id: UInt64, owner: Owner, expiresAt: Int64) {
        let isLive = live.withLock { live in
            guard live[id] != nil else { return false }
            live[id] = .some(owner)
            return true
        }
        if isLive { loop(of: id)?.post(.webSocketRenew(id, expiresAt: expiresAt)) }
    }

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

    /// Closes (4401) every connection opened by this user, or by this user's one session.
    func closeSessions(userID: String, sessionID: String?, reason: String) {
        let ids = live.withLock { live in
            live.compactMap { id, owner -> UInt64? in
                guard let owner, owner.userID == userID else { return nil }
                return sessionID == nil || owner.sessionID == sessionID ? id : nil
            }
        }
        for id in ids { _ = close(id, code: Self.unauthorizedCloseCode, reason: reason) }
    }

    private func loop(of id: UInt64) -> EventLoop? {
        let index = Int(id >> 56)
        return loops.withLock { index < $0.count ? $0[index] : nil }
    }
}
