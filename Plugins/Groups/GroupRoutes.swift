import Foundation
import PluginKit

/// `/api/v1/groups`: create, list, read, update and delete the caller's groups.
struct GroupRoutes: Sendable {
    let store: GroupStore
    let agents: AgentDirectory
    let events: GroupEvents
    let deletions: AgentDeletionListener

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
        let pattern = try CoordinationPattern(input.coordinationPattern ?? [:])
        try pattern.checkQuorum(memberCount: input.members.count)
        let memberReferences = input.members.enumerated().map { index, member in
            AgentReference(id: member.agentID, field: "members[\(index)].agent_id")
        }
        let names = try agents.names(of: memberReferences + pattern.agentReferences, ownedBy: owner)
        let now = Timestamp.rfc3339(Date())
        let members = input.members.map { member in
            GroupMember(agentID: member.agentID, agentName: names[member.agentID] ?? "", role: member.role,
                        capabilities: member.capabilities, joinedAt: now, isActive: true, metadata: member.metadata)
        }
        var group = Group(
            id: ResourceID.make("group"), name: input.name ?? "", description: input.description ?? "",
            coordinationPattern: pattern.value, ownerID: owner, memberCount: members.count, isActive: true,
            createdAt: now, updatedAt: now, lastActiveAt: nil, members: members)
        try HTTPError.mapping(conflict: Self.nameTaken(group.name)) {
            try store.database.transaction { transaction in
                try store.insert(group, in: transaction)
                for member in members {
                    try store.insertMember(.init(member), groupID: group.id, in: transaction)
                }
            }
        }
        let present = remaining(members, owner: owner)
        group.members = present
        group.memberCount = present.count
        for member in present {
            events.memberAdded(groupID: group.id, agentID: member.agentID, role: member.role)
        }
        return .jsonValue(group.json, status: 201)
    }

    /// The members whose agent still exists now that their rows are committed. An agent deleted
    /// after the ownership reads may have been cleaned out of every group before this one was
    /// written; asking again closes that gap, as a deletion from here on finds the rows and
    /// removes them itself. A failed read keeps the member: the group exists either way.
    private func remaining(_ members: [GroupMember], owner: String) -> [GroupMember] {
        members.filter { member in
            do {
                if try agents.name(ofAgent: member.agentID, ownedBy: owner) != nil { return true }
            } catch {
                return true
            }
            deletions.removeFromEveryGroup(agentID: member.agentID)
            return false
        }
    }

    func list(_ request: Request) throws -> Response {
        .jsonValue(try page(ownerID: request.callerID(), query: request.query))
    }

    /// One page of `ownerID`'s groups, the paging parameters read through `query` (the
    /// groups.v1 service runs this too).
    func page(ownerID owner: String, query: (String) throws(HTTPError) -> String?) throws(HTTPError) -> JSONValue {
        let page = try PageRequest(query: query, sortFields: GroupStore.sortFields, defaultSort: "created_at")
        let (groups, total) = try HTTPError.mapping { try store.list(ownerID: owner, page: page) }
        return page.envelope(groups.map(\.json), total: total)
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
        let pattern = try input.coordinationPattern.map { (json) throws(HTTPError) in try CoordinationPattern(json) }
        if let pattern { _ = try agents.names(of: pattern.agentReferences, ownedBy: owner) }
        let group = try HTTPError.mapping(conflict: Self.nameTaken(input.name ?? "")) {
            try store.database.transaction { transaction -> Group in
                guard var group = try store.find(id: id, ownerID: owner, in: transaction) else { throw Self.notFound }
                if let name = input.name { group.name = name }
                if let description = input.description { group.description = description }
                if let active = input.isActive { group.isActive = active }
                if let pattern {
                    try pattern.checkQuorum(memberCount: group.memberCount)
                    group.coordinationPattern = pattern.value
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
