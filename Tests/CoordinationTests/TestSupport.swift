@testable import Coordination

/// A random number generator that returns the given values in turn (then repeats them), so a
/// test knows exactly which "random" choice a planner makes.
struct ScriptedRandom: RandomNumberGenerator {
    var values: [UInt64]
    var position = 0

    init(_ values: [UInt64]) {
        self.values = values
    }

    mutating func next() -> UInt64 {
        defer { position = (position + 1) % values.count }
        return values[position]
    }
}

/// A generator that always answers the same value. Through Int.random(in: 0..<n, using:):
/// `.max` picks the last candidate, `first` (1) the first. (0 would make the standard
/// library's rejection sampling draw forever.)
func fixedRandom(_ value: UInt64) -> ScriptedRandom { ScriptedRandom([value]) }

func member(_ id: String, role: MemberRole = .regular, capabilities: [String] = [], active: Bool = true,
            suspended: Bool = false) -> Member {
    Member(agentID: id, agentName: id, role: role, capabilities: capabilities, isActive: active,
           agentIsActive: !suspended)
}

func group(_ pattern: CoordinationPattern, _ members: [Member]) -> GroupSnapshot {
    GroupSnapshot(id: "group_1", ownerID: "user_1", name: "team", pattern: pattern, members: members)
}

let first: UInt64 = 1
