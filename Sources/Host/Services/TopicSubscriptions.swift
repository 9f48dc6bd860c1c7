import Synchronization

/// Which event-socket connections listen to which topics, and who owns each connection.
final class TopicSubscriptions: Sendable {
    struct Member: Sendable {
        let userID: String
        let isAdmin: Bool
        /// Kinds of topic ("agent", "group", "user") the credential's permissions cover.
        let readable: Set<String>
        /// Where the connection comes from (renewals are rate-limited like requests from there).
        let clientIP: ClientAddress
        var topics: Set<String> = []
    }

    private struct State {
        var members: [UInt64: Member] = [:]
        var topics: [String: Set<UInt64>] = [:]
        var socketsPerUser: [String: Int] = [:]
    }

    private let state = Mutex(State())

    /// Registers a connection; true when it is the user's first open socket.
    func join(_ id: UInt64, userID: String, isAdmin: Bool, readable: Set<String>, clientIP: ClientAddress) -> Bool {
        state.withLock { state in
            state.members[id] = Member(userID: userID, isAdmin: isAdmin, readable: readable, clientIP: clientIP)
            state.socketsPerUser[userID, default: 0] += 1
            return state.socketsPerUser[userID] == 1
        }
    }

    /// Forgets a connection; returns its user when that was the user's last open socket.
    func leave(_ id: UInt64) -> String? {
        state.withLock { state in
            guard let member = state.members.removeValue(forKey: id) else { return nil }
            for topic in member.topics { Self.remove(id, from: topic, in: &state) }
            let left = (state.socketsPerUser[member.userID] ?? 1) - 1
            state.socketsPerUser[member.userID] = left > 0 ? left : nil
            return left > 0 ? nil : member.userID
        }
    }

    func member(_ id: UInt64) -> Member? { state.withLock { $0.members[id] } }

    /// Topics one connection may follow at once.
    static let maxTopicsPerConnection = 1024

    /// False when the connection already follows `maxTopicsPerConnection` other topics.
    func subscribe(_ id: UInt64, to topic: String) -> Bool {
        state.withLock { state in
            guard let member = state.members[id] else { return true }
            guard member.topics.contains(topic) || member.topics.count < Self.maxTopicsPerConnection else { return false }
            state.members[id]?.topics.insert(topic)
            state.topics[topic, default: []].insert(id)
            return true
        }
    }

    func unsubscribe(_ id: UInt64, from topic: String) {
        state.withLock { state in
            state.members[id]?.topics.remove(topic)
            Self.remove(id, from: topic, in: &state)
        }
    }

    func subscribers(of topic: String, except: UInt64) -> [UInt64] {
        state.withLock { state in
            guard let ids = state.topics[topic] else { return [] }
            return except == 0 ? Array(ids) : ids.filter { $0 != except }
        }
    }

    private static func remove(_ id: UInt64, from topic: String, in state: inout State) {
        state.topics[topic]?.remove(id)
        if state.topics[topic]?.isEmpty == true { state.topics[topic] = nil }
    }
}
