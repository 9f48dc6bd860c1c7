import Foundation
import PluginKit

/// `/api/v1/groups`: create, list, read, update and delete the caller's groups.
struct GroupRoutes: Sendable {
    let store: GroupStore
    let agents: AgentDirectory
    let events: GroupEvents
    let deletions: AgentDeletionListener

    func register(_ host: PluginHost) throws {
        let taken = [409: "You already have a group with this name"]
        try host.route(.post, "/api/v1/groups", permission: "write_groups", summary: "Create a group",
                       description: "Names are unique per owner (409 otherwise). A group has at most "
                           + "\(GroupLimits.maxAgents) members.",
                       body: GroupCreate.self, responds: [201: .json(Group.self, "The new group with its members")],
                       errors: taken) { try create($0, $1) }
        try host.route(.get, "/api/v1/groups", permission: "read_groups", summary: "List the caller's groups",
                       query: GroupListQuery.self, responds: [200: .page(of: Group.self, "One page of groups")]) {
            try list($0, $1)
        }
        try host.route(.get, "/api/v1/groups/{id}", permission: "read_groups", summary: "Get a group with its members",
                       responds: [200: .json(Group.self, "The group")]) { try get($0) }
        try host.route(.patch, "/api/v1/groups/{id}", permission: "write_groups", summary: "Update a group",
                       description: "A new coordination pattern is validated against the current members.",
                       body: GroupInput.self, responds: [200: .json(Group.self, "The updated group")],
                       errors: taken) { try update($0, $1) }
        try host.route(.delete, "/api/v1/groups/{id}", permission: "write_groups", summary: "Delete a group",
                       responds: [204: .empty("Deleted")]) { try delete($0) }
    }

    static func nameTaken(_ name: String) -> HTTPError { .conflict("You already have a group named \"\(name)\".") }
    static let notFound = HTTPError.notFound("No group with this id.")

    private func create(_ request: Request, _ create: GroupCreate) throws -> Response {
        let owner = try request.callerID()
        let (input, pattern) = (create.input, create.input.coordinationPattern ?? CoordinationPattern(unreadable: [:]))
        try pattern.checkQuorum(memberCount: create.members.count)
        let memberReferences = create.members.enumerated().map { index, member in
            AgentReference(id: member.agentID, field: "members[\(index)].agent_id")
        }
        let names = try agents.names(of: memberReferences + pattern.agentReferences, ownedBy: owner)
        let now = Timestamp.rfc3339(Date())
        let members = create.members.map { member in
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

    private func list(_ request: Request, _ query: GroupListQuery) throws -> Response {
        .jsonValue(try page(ownerID: request.callerID(), query.page))
    }

    /// One page of `ownerID`'s groups, the paging parameters read through `query` (the
    /// groups.v1 service runs this too).
    func page(ownerID owner: String, query: (String) throws(HTTPError) -> String?) throws(HTTPError) -> JSONValue {
        try page(ownerID: owner, GroupListQuery(query: query).page)
    }

    private func page(ownerID owner: String, _ page: PageRequest) throws(HTTPError) -> JSONValue {
        let (groups, total) = try HTTPError.mapping { try store.list(ownerID: owner, page: page) }
        return page.envelope(groups.map(\.json), total: total)
    }

    private func get(_ request: Request) throws -> Response {
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

    private func update(_ request: Request, _ input: GroupInput) throws -> Response {
        let owner = try request.callerID()
        let id = try request.groupID()
        let pattern = input.coordinationPattern
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

    private func delete(_ request: Request) throws -> Response {
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

/// The query of `GET /groups`: a page.
struct GroupListQuery: JSONObject {
    var page = PageRequest(sortBy: "created_at")
    static let fields: [JSONField<Self>] = PageRequest.fields(\.page, sortFields: GroupStore.sortFields)
}
