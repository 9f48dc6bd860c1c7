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
        try host.route(.get, "/api/v1/messages", permission: "read_messages", openAPI: ChatOpenAPI.history) { request in
            .jsonValue(try history(ownerID: request.callerID(), query: request.query))
        }
        try host.route(.get, "/api/v1/messages/search", permission: "read_messages", openAPI: ChatOpenAPI.search) { request in
            .jsonValue(try search(ownerID: request.callerID(), query: request.query))
        }
    }

    /// `GET /messages`'s answer for `ownerID`, its parameters read through `query` (the chat.v1
    /// service runs this too). `offset` skips that many of the newest messages (page n skips
    /// (n-1)·limit); the window is answered oldest first. `offset` wins when both are given.
    func history(ownerID owner: String, query: (String) throws(HTTPError) -> String?) throws(HTTPError) -> JSONValue {
        guard let target = try query("target") else { throw HTTPError.validation("target", "is required") }
        let limit = try Self.integer(query, "limit", 1...PageRequest.maximumLimit) ?? Self.defaultHistoryLimit
        let page = try Self.integer(query, "page", 1...1_000_000)
        let offset = try Self.integer(query, "offset", 0...100_000_000) ?? ((page ?? 1) - 1) * limit
        let scope: MessageStore.Scope
        switch try ChatTarget.resolve(target, ownerID: owner, agents: agents) {
        case .agent(let agent): scope = .agent(agent.id)
        case .group(let id):
            guard try groups.group(id: id, ownerID: owner) != nil else { throw HTTPError.notFound("No group with this id.") }
            scope = .group(id)
        }
        let (messages, total) = try HTTPError.mapping { try store.history(scope, limit: limit, offset: offset) }
        return [
            "items": .array(messages.map(\.json)), "page": .integer(Int64(offset / limit + 1)),
            "limit": .integer(Int64(limit)), "total": .integer(Int64(total)),
            "total_pages": .integer(Int64((total + limit - 1) / limit)),
        ]
    }

    /// `GET /messages/search`'s answer for `ownerID`, its parameters read through `query`.
    func search(ownerID owner: String, query: (String) throws(HTTPError) -> String?) throws(HTTPError) -> JSONValue {
        let page = try PageRequest(query: query, sortFields: ["created_at"], defaultSort: "created_at")
        var filter = MessageStore.SearchFilter(ownerID: owner)
        if let text = try query("query") {
            guard text.utf8.count <= Self.maxQueryBytes else {
                throw HTTPError.validation("query", "must be at most \(Self.maxQueryBytes) bytes")
            }
            filter.query = text
        }
        if let role = try query("role") {
            guard let parsed = ChatMessage.Role(rawValue: role) else {
                throw HTTPError.validation("role", "must be system, user, assistant or tool")
            }
            filter.role = parsed
        }
        filter.from = try Self.date(query, "from_date")
        filter.to = try Self.date(query, "to_date")
        if let agentID = try query("agent_id") {
            guard ResourceID.isValid(agentID, prefix: "agent") else {
                throw HTTPError.validation("agent_id", "must be an agent id (agent_…)")
            }
            guard try agents.agent(id: agentID, ownerID: owner) != nil else {
                throw HTTPError.notFound("No agent with this id.")
            }
            filter.agentID = agentID
        }
        let (messages, total) = try HTTPError.mapping { try store.search(filter, page: page) }
        return page.envelope(messages.map(\.json), total: total)
    }

    private static func integer(_ query: (String) throws(HTTPError) -> String?, _ name: String,
                                _ range: ClosedRange<Int>) throws(HTTPError) -> Int? {
        guard let text = try query(name) else { return nil }
        guard let value = Int(text), range.contains(value) else {
            throw .validation(name, "must be an integer from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }

    /// An RFC 3339 date-time parameter, in the stored form (UTC, milliseconds) so that stored
    /// timestamps compare as text.
    private static func date(_ query: (String) throws(HTTPError) -> String?, _ name: String) throws(HTTPError) -> String? {
        guard let text = try query(name) else { return nil }
        guard let milliseconds = Timestamp.parse(text) else {
            throw HTTPError(status: 400, type: "datetime_error", message: "\(name): must be an RFC 3339 date-time",
                            fields: [HTTPError.FieldProblem(field: name, message: "must be an RFC 3339 date-time")])
        }
        return Timestamp.rfc3339(milliseconds: milliseconds)
    }
}
