import Foundation
import PluginKit

/// `/api/v1/groups/{id}/members`: add one of the caller's agents to a group, or remove one.
struct MemberRoutes: Sendable {
    let store: GroupStore
    let agents: AgentDirectory
    let events: GroupEvents

    func register(_ host: PluginHost) throws {
        try host.route(.post, "/api/v1/groups/{id}/members", permission: "write_groups",
                       summary: "Add one of the caller's agents to a group",
                       description: "A group has at most \(GroupLimits.maxAgents) members: adding to a full group answers 409.",
                       body: MemberInput.self, responds: [201: .json(GroupMember.self, "The new member")],
                       errors: [409: "The agent is already a member, or the group is full"]) { try add($0, $1) }
        try host.route(.delete, "/api/v1/groups/{id}/members/{agent_id}", permission: "write_groups",
                       summary: "Remove an agent from a group", responds: [204: .empty("Removed")]) { try remove($0) }
    }

    private func add(_ request: Request, _ input: MemberInput) throws -> Response {
        let owner = try request.callerID()
        let id = try request.groupID()
        let now = Timestamp.rfc3339(Date())
        let alreadyMember = HTTPError.conflict("The agent is already a member of this group.")
        let member = try HTTPError.mapping(conflict: alreadyMember) {
            try store.database.transaction { transaction -> GroupMember in
                guard let group = try store.find(id: id, ownerID: owner, in: transaction) else { throw GroupRoutes.notFound }
                guard group.memberCount < GroupLimits.maxAgents else {
                    throw HTTPError.conflict("The group has \(GroupLimits.maxAgents) members, the most a group may have.")
                }
                // One read, inside the transaction: an agent deleted meanwhile cannot slip in.
                guard let name = try agents.name(ofAgent: input.agentID, ownedBy: owner) else {
                    throw HTTPError.validation("agent_id", "must be one of your agents")
                }
                let member = GroupMember(agentID: input.agentID, agentName: name, role: input.role,
                                         capabilities: input.capabilities, joinedAt: now, isActive: true,
                                         metadata: input.metadata)
                try store.insertMember(.init(member), groupID: id, in: transaction)
                try store.touch(id: id, at: now, in: transaction)
                return member
            }
        }
        events.memberAdded(groupID: id, agentID: member.agentID, role: member.role)
        return .jsonValue(member.json, status: 201)
    }

    private func remove(_ request: Request) throws -> Response {
        let owner = try request.callerID()
        let id = try request.groupID()
        let agentID = request.pathParameter("agent_id") ?? ""
        try HTTPError.mapping {
            try store.database.transaction { transaction in
                guard try store.find(id: id, ownerID: owner, in: transaction) != nil else { throw GroupRoutes.notFound }
                guard try store.deleteMember(groupID: id, agentID: agentID, in: transaction) else {
                    throw HTTPError.notFound("The agent is not a member of this group.")
                }
                try store.touch(id: id, at: Timestamp.rfc3339(Date()), in: transaction)
            }
        }
        events.memberRemoved(groupID: id, agentID: agentID)
        return .noContent
    }
}
