import Synchronization

/// What supervisor groups have delegated, in memory: per group, the delegations each member
/// holds now (taken and not yet answered; `max_delegations_per_agent` bounds these), and how
/// many delegations the group has made (the `round_robin` strategy's rotation). At most
/// `maxGroups` groups are tracked; past that, idle groups are forgotten (their rotation
/// starts again), so the table is bounded. A restart forgets everything, like the queue.
final class DelegationLedger: Sendable {
    let maxGroups: Int

    private struct Entry {
        var holding: [String: Int] = [:]
        var rotation = 0
    }

    private let entries = Mutex<[String: Entry]>([:])

    init(maxGroups: Int = 10_000) {
        self.maxGroups = maxGroups
    }

    /// The delegations each member of `groupID` holds now, and the group's rotation.
    func state(groupID: String) -> (holding: [String: Int], rotation: Int) {
        entries.withLock { entries in
            let entry = entries[groupID] ?? Entry()
            return (entry.holding, entry.rotation)
        }
    }

    /// `agentID` takes one of `groupID`'s delegations.
    func take(groupID: String, agentID: String) {
        entries.withLock { entries in
            if entries[groupID] == nil, entries.count >= maxGroups {
                // Forget the idle groups (nothing held): only their rotation is lost.
                entries = entries.filter { !$0.value.holding.isEmpty }
                guard entries.count < maxGroups else { return }
            }
            entries[groupID, default: Entry()].holding[agentID, default: 0] += 1
            entries[groupID, default: Entry()].rotation += 1
        }
    }

    /// `agentID` answered (or failed) its delegation.
    func release(groupID: String, agentID: String) {
        entries.withLock { entries in
            guard let held = entries[groupID]?.holding[agentID] else { return }
            entries[groupID]?.holding[agentID] = held > 1 ? held - 1 : nil
        }
    }
}
