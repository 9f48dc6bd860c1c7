import PluginKit

/// `GET /api/v1/messages` (one agent's or group's history, counted from its newest message) and
/// `GET /api/v1/messages/search` (full text over the caller's messages).
struct MessageRoutes: Sendable {
    let agents: AgentDirectory
    let store: MessageStore
    let groups: GroupDirectory

    static let defaultHistoryLimit = 50
    static let maxQueryBytes = 1024

    func register(_ host: PluginHost) throws {
        try host.route(.get, "/api/v1/messages", permission: "read_messages", openAPI: ChatOpenAPI.history) {
            try history($0)
        }
        try host.route(.get, "/api/v1/messages/search", permission: "read_messages", openAPI: ChatOpenAPI.search) {
            try search($0)
        }
    }

    private func integer(_ request: Request, _ name: String, _ range: ClosedRange<Int>) throws(HTTPError) -> Int? {
        guard let text = try request.query(name) else { return nil }
        guard let value = Int(text), range.contains(value) else {
            throw .validation(name, "must be an integer from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }

    /// `offset` skips that many of the newest messages (page n skips (n-1)·limit); the window
    /// is answered oldest first. `offset` wins when both are given.
    func history(_ request: Request) throws -> Response {
        let owner = try request.callerID()
        guard let target = try request.query("target") else { throw HTTPError.validation("target", "is required") }
        let limit = try integer(request, "limit", 1...PageRequest.maximumLimit) ?? Self.defaultHistoryLimit
        let page = try integer(request, "page", 1...1_000_000)
        let offset = try integer(request, "offset", 0...100_000_000) ?? ((page ?? 1) - 1) * limit
        let scope: MessageStore.Scope
        switch try ChatTarget.resolve(target, ownerID: owner, agents: agents) {
        case .agent(let agent): scope = .agent(agent.id)
        case .group(let id):
            guard try groups.group(id: id, ownerID: owner) != nil else { throw HTTPError.notFound("No group with this id.") }
            scope = .group(id)
        }
        let (messages, total) = try HTTPError.mapping { try store.history(scope, limit: limit, offset: offset) }
        return .jsonValue([
            "items": .array(messages.map(\.json)), "page": .integer(Int64(offset / limit + 1)),
            "limit": .integer(Int64(limit)), "total": .integer(Int64(total)),
            "total_pages": .integer(Int64((total + limit - 1) / limit)),
        ])
    }

    func search(_ request: Request) throws -> Response {
        let owner = try request.callerID()
        let page = try PageRequest(request, sortFields: ["created_at"], defaultSort: "created_at")
        var filter = MessageStore.SearchFilter(ownerID: owner)
        if let query = try request.query("query") {
            guard query.utf8.count <= Self.maxQueryBytes else {
                throw HTTPError.validation("query", "must be at most \(Self.maxQueryBytes) bytes")
            }
            filter.query = query
        }
        if let role = try request.query("role") {
            guard let parsed = ChatMessage.Role(rawValue: role) else {
                throw HTTPError.validation("role", "must be system, user, assistant or tool")
            }
            filter.role = parsed
        }
        filter.from = try date(request, "from_date")
        filter.to = try date(request, "to_date")
        if let agentID = try request.query("agent_id") {
            guard ResourceID.isValid(agentID, prefix: "agent") else {
                throw HTTPError.validation("agent_id", "must be an agent id (agent_…)")
            }
            guard try agents.agent(id: agentID, ownerID: owner) != nil else {
                throw HTTPError.notFound("No agent with this id.")
            }
            filter.agentID = agentID
        }
        let (messages, total) = try HTTPError.mapping { try store.search(filter, page: page) }
        return .jsonValue(page.envelope(messages.map(\.json), total: total))
    }

    /// An RFC 3339 date-time parameter, in the stored form (UTC, milliseconds) so that stored
    /// timestamps compare as text.
    private func date(_ request: Request, _ name: String) throws(HTTPError) -> String? {
        guard let text = try request.query(name) else { return nil }
        guard let milliseconds = Timestamp.parse(text) else {
            throw HTTPError(status: 400, type: "datetime_error", message: "\(name): must be an RFC 3339 date-time",
                            fields: [HTTPError.FieldProblem(field: name, message: "must be an RFC 3339 date-time")])
        }
        return Timestamp.rfc3339(milliseconds: milliseconds)
    }
}
