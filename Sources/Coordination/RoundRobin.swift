/// The round-robin rule: whose turn it is. The groups plugin applies it inside the transaction
/// that persists `current_index` ("groups.v1" `advance_round_robin`), so the turn itself is
/// never computed by the chat plugin; this is the one definition both sides share.
///
/// Members are in the group's order (joined_at, then agent id). `current_index` names the
/// member whose turn it is, taken modulo the member count (members may have left since it was
/// stored). With `skipUnavailable` the first available member from there on (wrapping) takes
/// the turn; without it the member at the index takes it even when unavailable, and the caller
/// decides what to answer. The next index is the position after the picked member.
public enum RoundRobin {
    public struct Turn: Sendable, Equatable {
        /// The picked member's position in the member list.
        public var index: Int
        /// The `current_index` to store: the position after `index`, modulo the member count.
        public var nextIndex: Int

        public init(index: Int, nextIndex: Int) {
            self.index = index
            self.nextIndex = nextIndex
        }
    }

    /// The turn among `memberCount` members, or nil when there is no one to pick (no members,
    /// or `skipUnavailable` and nobody available). `isAvailable(position)` is asked lazily, in
    /// order from the current index, so a caller that looks availability up pays only for the
    /// members it passes over.
    public static func turn<Failure: Error>(
        memberCount: Int, currentIndex: Int, skipUnavailable: Bool,
        isAvailable: (Int) throws(Failure) -> Bool
    ) throws(Failure) -> Turn? {
        guard memberCount > 0 else { return nil }
        let start = ((currentIndex % memberCount) + memberCount) % memberCount
        for offset in 0..<memberCount {
            let position = (start + offset) % memberCount
            let takes = try skipUnavailable ? isAvailable(position) : true
            if takes { return Turn(index: position, nextIndex: (position + 1) % memberCount) }
        }
        return nil
    }

    /// The turn in a decoded group snapshot, by each member's `isAvailable`.
    public static func turn(in members: [Member], currentIndex: Int, skipUnavailable: Bool) -> Turn? {
        turn(memberCount: members.count, currentIndex: currentIndex, skipUnavailable: skipUnavailable) { position in
            members[position].isAvailable
        }
    }
}
