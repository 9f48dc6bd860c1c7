import Coordination
import Foundation
import PluginKit

/// What "groups.v1" answers, in Swift terms (GroupsService turns it into the C functions):
/// a group with its members and their availability, the persisted round-robin turn, the
/// group's activity time and the sleeptime groups. Every read checks the owner.
struct GroupRouting: Sendable {
    let store: GroupStore
    let agents: AgentDirectory

    /// Why a call failed; each case is one status of pattern_groups_service.h.
    enum Failure: Error, Equatable {
        case invalid, notFound, notRoundRobin, noMemberToPick, busy, failed
    }

    static let maxSleeptimePage = 1000

    func group(id: String, ownerID: String) throws(Failure) -> JSONValue {
        try Self.checkIDs(id, ownerID)
        return try Self.mapping {
            guard let group = try store.find(id: id, ownerID: ownerID, in: store.database) else { throw Failure.notFound }
            let members = try members(of: group, in: store.database)
            return group.json.merging(["members": .array(members.map(\.json)), "member_count": .integer(Int64(members.count))])
        }
    }

    /// Picks the member whose turn it is and stores the next index, in one write transaction:
    /// the database has a single writer, so two concurrent calls never see the same index.
    func advanceRoundRobin(groupID: String, ownerID: String) throws(Failure) -> JSONValue {
        try Self.checkIDs(groupID, ownerID)
        return try Self.mapping {
            try store.database.transaction { transaction in
                guard let group = try store.find(id: groupID, ownerID: ownerID, in: transaction) else {
                    throw Failure.notFound
                }
                let stored = group.coordinationPattern
                guard case .roundRobin(let pattern)? = try? Coordination.CoordinationPattern(json: stored) else {
                    throw Failure.notRoundRobin
                }
                let members = try members(of: group, in: transaction)
                guard let turn = RoundRobin.turn(memberCount: members.count, currentIndex: pattern.currentIndex,
                                                 skipUnavailable: pattern.skipUnavailable,
                                                 isAvailable: { members[$0].available })
                else { throw Failure.noMemberToPick }
                try store.setCoordinationPattern(stored.merging(["current_index": .integer(Int64(turn.nextIndex))]),
                                                 groupID: groupID, in: transaction)
                return [
                    "group_id": .string(groupID), "index": .integer(Int64(turn.index)),
                    "current_index": .integer(Int64(turn.nextIndex)), "member": members[turn.index].json,
                ]
            }
        }
    }

    func touch(groupID: String, ownerID: String) throws(Failure) {
        try Self.checkIDs(groupID, ownerID)
        let now = Timestamp.rfc3339(Date())
        let touched = try Self.mapping {
            try store.database.transaction { transaction in
                try store.markActive(id: groupID, ownerID: ownerID, at: now, in: transaction)
            }
        }
        guard touched else { throw .notFound }
    }

    func sleeptimeGroups(afterID: String, limit: Int) throws(Failure) -> JSONValue {
        guard (1...Self.maxSleeptimePage).contains(limit) else { throw .invalid }
        let (groups, more) = try Self.mapping { try store.sleeptimeCandidates(afterID: afterID, limit: limit) }
        let entries: [JSONValue] = groups.compactMap { group in
            let pattern = group.coordinationPattern
            guard pattern["type"]?.stringValue == "sleeptime" else { return nil }
            return [
                "group_id": .string(group.id), "owner_id": .string(group.ownerID),
                "check_interval": pattern["check_interval"] ?? .null, "triggers": pattern["triggers"] ?? [],
                "intervention_agent_id": pattern["intervention_agent_id"] ?? .null,
                "last_active_at": group.lastActiveAt.map { .string($0) } ?? .null,
            ]
        }
        return ["groups": .array(entries), "next_after": more ? .string(groups.last?.id ?? "") : .null]
    }

    // MARK: Members

    /// A member as the service shows it: the stored membership plus the agent's own state.
    private struct RoutedMember {
        var member: GroupMember
        var agentIsActive: Bool
        var available: Bool { member.isActive && agentIsActive }

        var json: JSONValue {
            member.json.merging(["agent_is_active": .bool(agentIsActive), "available": .bool(available)])
        }
    }

    /// The group's members in round-robin order, each with its agent's facts from
    /// "agents.v1" (committed data, so this may run inside the caller's transaction). An agent
    /// deleted a moment ago (its clean-up still running) is left out, as `GET /groups/{id}` does.
    private func members(of group: Group, in executor: any SQLExecutor) throws -> [RoutedMember] {
        try store.members(groupID: group.id, in: executor).compactMap { row in
            guard let facts = try agents.facts(ofAgent: row.agentID, ownedBy: group.ownerID) else { return nil }
            return RoutedMember(
                member: GroupMember(agentID: row.agentID, agentName: facts.name, role: row.role,
                                    capabilities: row.capabilities, joinedAt: row.joinedAt, isActive: row.isActive,
                                    metadata: row.metadata),
                agentIsActive: facts.isActive)
        }
    }

    // MARK: Failures

    private static func checkIDs(_ groupID: String, _ ownerID: String) throws(Failure) {
        guard !groupID.isEmpty, !ownerID.isEmpty else { throw .invalid }
    }

    /// Maps the database's and the agents service's failures to the service's.
    private static func mapping<T>(_ body: () throws -> T) throws(Failure) -> T {
        do {
            return try body()
        } catch let failure as Failure {
            throw failure
        } catch let failure as DatabaseFailure {
            throw failure.kind == .busy ? .busy : .failed
        } catch let error as HTTPError {
            throw error.status == 503 ? .busy : .failed
        } catch {
            throw .failed
        }
    }
}

private extension JSONValue {
    /// This object with `other`'s members added (replacing equal keys).
    func merging(_ other: [String: JSONValue]) -> JSONValue {
        guard case .object(var members) = self else { return self }
        for (key, value) in other { members[key] = value }
        return .object(members)
    }
}
