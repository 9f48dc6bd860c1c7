import Foundation
import PluginKit

/// `/api/v1/groups`: create, list, read, update and delete the caller's groups.
struct GroupRoutes: Sendable {
    let store: GroupStore
    let agents: AgentDirectory
    let events: GroupEvents

    func register(_ host: PluginHost) throws {
        try host.route(.post, "/api/v1/groups", permission: "write_groups", openAPI: GroupsOpenAPI.create) { try create($0) }
        try host.route(.get, "/api/v1/groups", permission: "read_groups", openAPI: GroupsOpenAPI.list) { try list($0) }
        try host.route(.get, "/api/v1/groups/{id}", permission: "read_groups", openAPI: GroupsOpenAPI.get) { try get($0) }
        try host.route(.patch, "/api/v1/groups/{id}", permission: "write_groups", openAPI: GroupsOpenAPI.update) {
            try update($0)
        }
        try host.route(.delete, "/api/v1/groups/{id}", permission: "write_groups", openAPI: GroupsOpenAPI.delete) {
            try delete($0)
        }
    }

    static func nameTaken(_ name: String) -> HTTPError { .conflict("You already have a group named \"\(name)\".") }
    static let notFound = HTTPError.notFound("No group with this id.")

    func create(_ request: Request) throws -> Response {
        let owner = try request.callerID()
        let input = try GroupInput.create(request.jsonBody())
        let now = Timestamp.rfc3339(Date())
        let group = try HTTPError.mapping(conflict: Self.nameTaken(input.name ?? "")) {
            try store.database.transaction { transaction -> Group in
                // Checked inside the transaction: an agent deleted meanwhile cannot slip in (its
                // deletion's clean-up waits for this transaction).
                var members: [GroupMember] = []
                for (index, member) in input.members.enumerated() {
                    guard let name = try agents.name(ofAgent: member.agentID, ownedBy: owner) else {
                        throw HTTPError.validation("members[\(index)].agent_id", "must be one of your agents")
                    }
                    members.append(GroupMember(agentID: member.agentID, agentName: name, role: member.role,
                                               capabilities: member.capabilities, joinedAt: now, isActive: true,
                                               metadata: member.metadata))
                }
                let validator = CoordinationPattern(memberCount: members.count) { (id) throws(HTTPError) in
                    try agents.owns(owner, agent: id)
                }
                let group = Group(
                    id: ResourceID.make("group"), name: input.name ?? "", description: input.description ?? "",
                    coordinationPattern: try validator.validate(input.coordinationPattern ?? [:]), ownerID: owner,
                    memberCount: members.count, isActive: true, createdAt: now, updatedAt: now, lastActiveAt: nil,
                    members: members)
                try store.insert(group, in: transaction)
                for member in members {
                    try store.insertMember(.init(member), groupID: group.id, in: transaction)
                }
                return group
            }
        }
        for member in group.members ?? [] {
            events.memberAdded(groupID: group.id, agentID: member.agentID, role: member.role)
        }
        return .jsonValue(group.json, status: 201)
    }

    func list(_ request: Request) throws -> Response {
        let owner = try request.callerID()
        let page = try PageRequest(request, sortFields: GroupStore.sortFields, defaultSort: "created_at")
        let (groups, total) = try HTTPError.mapping { try store.list(ownerID: owner, page: page) }
        return .jsonValue(page.envelope(groups.map(\.json), total: total))
    }

    func get(_ request: Request) throws -> Response {
        let owner = try request.callerID()
        let id = try request.groupID()
        let (found, rows) = try HTTPError.mapping {
            (try store.find(id: id, ownerID: owner, in: store.database),
             try store.members(groupID: id, in: store.database))
        }
        guard var group = found else { throw Self.notFound }
        var members: [GroupMember] = []
        for row in rows {
            // An agent deleted a moment ago (its clean-up still running) is no longer shown.
            guard let name = try agents.name(ofAgent: row.agentID, ownedBy: owner) else { continue }
            members.append(GroupMember(agentID: row.agentID, agentName: name, role: row.role,
                                       capabilities: row.capabilities, joinedAt: row.joinedAt, isActive: row.isActive,
                                       metadata: row.metadata))
        }
        group.members = members
        group.memberCount = members.count
        return .jsonValue(group.json)
    }

    func update(_ request: Request) throws -> Response {
        let owner = try request.callerID()
        let id = try request.groupID()
        let input = try GroupInput.update(request.jsonBody())
        let group = try HTTPError.mapping(conflict: Self.nameTaken(input.name ?? "")) {
            try store.database.transaction { transaction -> Group in
                guard var group = try store.find(id: id, ownerID: owner, in: transaction) else { throw Self.notFound }
                if let name = input.name { group.name = name }
                if let description = input.description { group.description = description }
                if let active = input.isActive { group.isActive = active }
                if let pattern = input.coordinationPattern {
                    let validator = CoordinationPattern(memberCount: group.memberCount) { (agent) throws(HTTPError) in
                        try agents.owns(owner, agent: agent)
                    }
                    group.coordinationPattern = try validator.validate(pattern)
                }
                group.updatedAt = Timestamp.rfc3339(Date())
                guard try store.update(group, in: transaction) else { throw Self.notFound }
                return group
            }
        }
        return .jsonValue(group.json)
    }

    func delete(_ request: Request) throws -> Response {
        let owner = try request.callerID()
        let id = try request.groupID()
        let deleted = try HTTPError.mapping {
            try store.database.transaction { transaction in try store.delete(id: id, ownerID: owner, in: transaction) }
        }
        guard deleted else { throw Self.notFound }
        return .noContent
    }
}

extension GroupStore.MemberRow {
    init(_ member: GroupMember) {
        self.init(agentID: member.agentID, role: member.role, capabilities: member.capabilities,
                  metadata: member.metadata, isActive: member.isActive, joinedAt: member.joinedAt)
    }
}
