import Foundation
import PluginKit

/// `/api/v1/agents`: create, list, read, update and delete the caller's agents.
struct AgentRoutes: Sendable {
    let store: AgentStore
    let events: AgentEvents

    func register(_ host: PluginHost) throws {
        try host.route(.post, "/api/v1/agents", permission: "write_agents", summary: "Create an agent",
                       description: "Names are unique per owner (409 otherwise). The agent starts ready.",
                       body: AgentCreate.self, responds: [201: .json(Agent.self, "The new agent")],
                       errors: [409: "You already have an agent with this name"]) { request, body in
            .jsonValue(try create(ownerID: request.callerID(), input: body.input).json, status: 201)
        }
        try host.route(.get, "/api/v1/agents", permission: "read_agents", summary: "List the caller's agents",
                       description: "Administrators may pass owner_id to list another user's agents. "
                           + "is_active is false for suspended agents.",
                       query: AgentListQuery.self, responds: [200: .page(of: Agent.self, "One page of agents")]) {
            try list($0, $1)
        }
        try host.route(.get, "/api/v1/agents/{id}", permission: "read_agents", summary: "Get an agent",
                       responds: [200: .json(Agent.self, "The agent")]) { try get($0) }
        try host.route(.patch, "/api/v1/agents/{id}", permission: "write_agents", summary: "Update an agent",
                       description: "Any field of create, plus state; null clears an optional text field.",
                       body: AgentInput.self, responds: [200: .json(Agent.self, "The updated agent")],
                       errors: [409: "You already have an agent with this name"]) { try update($0, $1) }
        try host.route(.delete, "/api/v1/agents/{id}", permission: "write_agents", summary: "Delete an agent",
                       description: "Its memory goes with it, and it leaves every group.",
                       responds: [204: .empty("Deleted")]) { try delete($0) }
    }

    private static func nameTaken(_ name: String) -> HTTPError {
        .conflict("You already have an agent named \"\(name)\".")
    }

    /// Creates `ownerID`'s agent from a `POST /agents` body (the agents.v1 service runs this).
    func create(ownerID owner: String, body: JSONValue) throws(HTTPError) -> Agent {
        try create(ownerID: owner, input: AgentCreate(json: body).input)
    }

    private func create(ownerID owner: String, input: AgentInput) throws(HTTPError) -> Agent {
        let now = Timestamp.rfc3339(Date())
        let agent = Agent(
            id: ResourceID.make("agent"), name: input.name ?? "", agentType: input.agentType ?? "generic",
            description: input.description ?? nil, systemPrompt: input.systemPrompt ?? nil, state: .ready,
            modelProvider: input.modelProvider ?? nil, modelID: input.modelID ?? nil, tools: input.tools ?? [],
            ownerID: owner, createdAt: now, updatedAt: now, lastActiveAt: nil, messageCount: 0,
            metadata: input.metadata ?? [:])
        try HTTPError.mapping(conflict: Self.nameTaken(agent.name)) {
            try store.database.transaction { transaction in try store.insert(agent, in: transaction) }
        }
        return agent
    }

    private func list(_ request: Request, _ query: AgentListQuery) throws -> Response {
        let caller = try request.callerID()
        var owner = caller
        if let requested = query.ownerID, requested != caller {
            guard request.principal?.isAdmin == true else {
                throw HTTPError.forbidden("Only administrators may list another user's agents.")
            }
            owner = requested
        }
        return .jsonValue(try page(ownerID: owner, query.page))
    }

    /// One page of `ownerID`'s agents, the paging parameters read through `query` (the
    /// agents.v1 service runs this).
    func page(ownerID owner: String, query: (String) throws(HTTPError) -> String?) throws(HTTPError) -> JSONValue {
        try page(ownerID: owner, AgentListQuery(query: query).page)
    }

    private func page(ownerID owner: String, _ page: PageRequest) throws(HTTPError) -> JSONValue {
        let (agents, total) = try HTTPError.mapping { try store.list(ownerID: owner, page: page) }
        return page.envelope(agents.map(\.json), total: total)
    }

    private func get(_ request: Request) throws -> Response {
        let owner = try request.callerID()
        let id = try request.agentID()
        guard let agent = try HTTPError.mapping({ try store.find(id: id, ownerID: owner, in: store.database) }) else {
            throw HTTPError.notFound("No agent with this id.")
        }
        return .jsonValue(agent.json)
    }

    private func update(_ request: Request, _ input: AgentInput) throws -> Response {
        let owner = try request.callerID()
        let id = try request.agentID()
        let (before, after) = try HTTPError.mapping(conflict: Self.nameTaken(input.name ?? "")) {
            try store.database.transaction { transaction -> (Agent, Agent) in
                guard let current = try store.find(id: id, ownerID: owner, in: transaction) else {
                    throw HTTPError.notFound("No agent with this id.")
                }
                var agent = current
                if let name = input.name { agent.name = name }
                if let type = input.agentType { agent.agentType = type }
                if let description = input.description { agent.description = description }
                if let prompt = input.systemPrompt { agent.systemPrompt = prompt }
                if let provider = input.modelProvider { agent.modelProvider = provider }
                if let model = input.modelID { agent.modelID = model }
                if let tools = input.tools { agent.tools = tools }
                if let metadata = input.metadata { agent.metadata = metadata }
                if let state = input.state { agent.state = state }
                agent.updatedAt = Timestamp.rfc3339(Date())
                guard try store.update(agent, in: transaction) else { throw HTTPError.notFound("No agent with this id.") }
                return (current, agent)
            }
        }
        if before.state != after.state {
            events.stateChanged(agentID: id, from: before.state, to: after.state)
        }
        return .jsonValue(after.json)
    }

    private func delete(_ request: Request) throws -> Response {
        let owner = try request.callerID()
        let id = try request.agentID()
        let deleted = try HTTPError.mapping {
            try store.database.transaction { transaction in try store.delete(id: id, ownerID: owner, in: transaction) }
        }
        guard deleted else { throw HTTPError.notFound("No agent with this id.") }
        events.deleted(agentID: id, ownerID: owner)
        return .noContent
    }
}

/// The query of `GET /agents`: a page, and whose agents (administrators only).
struct AgentListQuery: JSONObject {
    var page = PageRequest(sortBy: "created_at")
    var ownerID: String?

    static let fields: [JSONField<Self>] = PageRequest.fields(\.page, sortFields: AgentStore.sortFields) + [
        JSONField("owner_id", \.ownerID) { $0.describe("Administrators only: whose agents to list") },
    ]
}
