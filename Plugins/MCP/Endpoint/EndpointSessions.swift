import Synchronization

/// The /mcp sessions: each id bound to the user who initialized it. Bounded per user and in
/// total; idle sessions end on the host's timer.
final class EndpointSessions: Sendable {
    struct Session: Sendable {
        let userID: String
        var lastUsed: ContinuousClock.Instant
    }

    enum Opening: Sendable, Equatable {
        case opened(id: String)
        /// Every user's sessions together are at the bound.
        case full
    }

    private struct State {
        var sessions: [String: Session] = [:]
        var countPerUser: [String: Int] = [:]
    }

    private let state = Mutex(State())
    let maxSessions: Int
    let maxSessionsPerUser: Int
    let idleLimit: Duration

    init(maxSessions: Int, maxSessionsPerUser: Int, idleLimit: Duration) {
        self.maxSessions = maxSessions
        self.maxSessionsPerUser = maxSessionsPerUser
        self.idleLimit = idleLimit
    }

    /// A new session for `userID`. At the per-user bound the user's least recently used
    /// session ends (its client gets 404 and initializes again); at the total bound the new
    /// one is refused, so one user cannot push out another's.
    func open(userID: String, now: ContinuousClock.Instant = .now) -> Opening {
        state.withLock { state in
            if state.countPerUser[userID, default: 0] >= maxSessionsPerUser,
               let oldest = state.sessions.filter({ $0.value.userID == userID }).min(by: { $0.value.lastUsed < $1.value.lastUsed }) {
                Self.remove(oldest.key, &state)
            }
            guard state.sessions.count < maxSessions else { return .full }
            let id = SessionID.make()
            state.sessions[id] = Session(userID: userID, lastUsed: now)
            state.countPerUser[userID, default: 0] += 1
            return .opened(id: id)
        }
    }

    /// The session `id` of `userID`, marked used; nil when it is unknown, ended, or another
    /// user's (the same answer, so ids cannot be probed).
    func use(_ id: String, userID: String, now: ContinuousClock.Instant = .now) -> Session? {
        state.withLock { state in
            guard var session = state.sessions[id], session.userID == userID else { return nil }
            session.lastUsed = now
            state.sessions[id] = session
            return session
        }
    }

    /// Ends session `id` of `userID`; false when there was none.
    func close(_ id: String, userID: String) -> Bool {
        state.withLock { state in
            guard state.sessions[id]?.userID == userID else { return false }
            Self.remove(id, &state)
            return true
        }
    }

    /// Ends every session unused for `idleLimit`; returns how many.
    @discardableResult
    func expireIdle(now: ContinuousClock.Instant = .now) -> Int {
        state.withLock { state in
            let idle = state.sessions.filter { now - $0.value.lastUsed >= idleLimit }.map(\.key)
            for id in idle { Self.remove(id, &state) }
            return idle.count
        }
    }

    private static func remove(_ id: String, _ state: inout State) {
        guard let session = state.sessions.removeValue(forKey: id) else { return }
        let remaining = state.countPerUser[session.userID, default: 1] - 1
        state.countPerUser[session.userID] = remaining > 0 ? remaining : nil
    }
}
