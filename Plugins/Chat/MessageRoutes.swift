import PluginKit

/// `GET /api/v1/messages` (one agent's or group's history, counted from its newest message) and
/// `GET /api/v1/messages/search` (full text over the caller's messages).
struct MessageRoutes: Sendable {
    let agents: AgentDirectory
    let store: MessageStore
    let groups: GroupDirectory

    static let defaultHistoryLimit = 50
    static let maxQueryLength = 1024

    func register(_ host: PluginHost) throws {
        try host.route(.get, "/api/v1/messages", permission: "read_messages",
                       summary: "An agent's or a group's message history",
                       description: "offset skips that many of the newest messages (page/limit may be used instead); "
                           + "items are oldest first within the window.",
                       query: HistoryQuery.self, responds: [200: .page(of: ChatMessage.self, "One window of messages")],
                       errors: [404: "No agent or group of yours has this id or name"]) {
            .jsonValue(try history(ownerID: $0.callerID(), $1))
        }
        try host.route(.get, "/api/v1/messages/search", permission: "read_messages", summary: "Search the caller's messages",
                       description: "Full text (every word must match; the last also as a prefix), best match first.",
                       query: SearchQuery.self, responds: [200: .page(of: ChatMessage.self, "One page of messages")],
                       errors: [404: "No agent of yours has this id"]) {
            .jsonValue(try search(ownerID: $0.callerID(), $1))
        }
    }

    /// `GET /messages`'s answer for `ownerID`, its parameters read through `query` (the chat.v1
    /// service runs this too). `offset` skips that many of the newest messages (page n skips
    /// (n-1)·limit); the window is answered oldest first. `offset` wins when both are given.
    func history(ownerID owner: String, query: (String) throws(HTTPError) -> String?) throws(HTTPError) -> JSONValue {
        try history(ownerID: owner, HistoryQuery(query: query))
    }

    private func history(ownerID owner: String, _ query: HistoryQuery) throws(HTTPError) -> JSONValue {
        let (target, limit) = (query.target, query.limit)
        let offset = query.offset ?? ((query.page ?? 1) - 1) * limit
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
        try search(ownerID: owner, SearchQuery(query: query))
    }

    private func search(ownerID owner: String, _ query: SearchQuery) throws(HTTPError) -> JSONValue {
        let page = query.page
        var filter = MessageStore.SearchFilter(ownerID: owner)
        filter.query = query.text
        filter.role = query.role
        filter.from = try Self.date(query.fromDate, "from_date")
        filter.to = try Self.date(query.toDate, "to_date")
        if let agentID = query.agentID {
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

    /// An RFC 3339 date-time parameter, in the stored form (UTC, milliseconds) so that stored
    /// timestamps compare as text.
    private static func date(_ text: String?, _ name: String) throws(HTTPError) -> String? {
        guard let text else { return nil }
        guard let milliseconds = Timestamp.parse(text) else {
            throw HTTPError(status: 400, type: "datetime_error", message: "\(name): must be an RFC 3339 date-time",
                            fields: [HTTPError.FieldProblem(field: name, message: "must be an RFC 3339 date-time")])
        }
        return Timestamp.rfc3339(milliseconds: milliseconds)
    }
}

/// The query of `GET /messages`: whose history, and which window of it.
struct HistoryQuery: JSONObject {
    var target = ""
    var limit = MessageRoutes.defaultHistoryLimit
    var offset: Int?
    var page: Int?

    static let fields: [JSONField<Self>] = [
        JSONField("target", \.target, required: true) { _ in ChatTarget.schema },
        JSONField("limit", \.limit) {
            $0.range(1...Int64(PageRequest.maximumLimit)).defaultsTo(.integer(Int64(MessageRoutes.defaultHistoryLimit)))
                .describe("Messages per window")
        },
        JSONField("offset", \.offset) { $0.range(0...100_000_000).describe("Newest messages to skip") },
        JSONField("page", \.page) { $0.range(1...1_000_000).describe("Instead of offset: page 1 is the latest") },
    ]
}

/// The query of `GET /messages/search`.
struct SearchQuery: JSONObject {
    var page = PageRequest(sortBy: "created_at")
    var text: String?
    var agentID: String?
    var role: ChatMessage.Role?
    var fromDate: String?
    var toDate: String?

    static let fields: [JSONField<Self>] = PageRequest.fields(\.page, sortFields: ["created_at"], activeFilter: false) + [
        JSONField("query", \.text) { $0.maxLength(MessageRoutes.maxQueryLength).describe("Words to look for") },
        JSONField("agent_id", \.agentID) { _ in ResourceID.schema(prefix: "agent").describe("Only this agent's messages") },
        JSONField("role", \.role),
        JSONField("from_date", \.fromDate) { _ in JSONSchema.timestamp.describe("Created at or after") },
        JSONField("to_date", \.toDate) { _ in JSONSchema.timestamp.describe("Created at or before") },
    ]
}
