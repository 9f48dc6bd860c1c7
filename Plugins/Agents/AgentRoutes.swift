import Foundation
import PluginKit

/// `/api/v1/agents`: create, list, read, update and delete the caller's agents.
struct AgentRoutes: Sendable {
    let store: AgentStore
    let events: AgentEvents

    func register(_ host: PluginHost) throws {
        try host.route(.post, "/api/v1/agents", permission: "write_agents", openAPI: AgentsOpenAPI.create) {
            try create($0)
        }
        try host.route(.get, "/api/v1/agents", permission: "read_agents", openAPI: AgentsOpenAPI.list) {
            try list($0)
        }
        try host.route(.get, "/api/v1/agents/{id}", permission: "read_agents", openAPI: AgentsOpenAPI.get) {
            try get($0)
        }
        try host.route(.patch, "/api/v1/agents/{id}", permission: "write_agents", openAPI: AgentsOpenAPI.update) {
            try update($0)
        }
        try host.route(.delete, "/api/v1/agents/{id}", permission: "write_agents", openAPI: AgentsOpenAPI.delete) {
            try delete($0)
        }
    }

    private static func nameTaken(_ name: String) -> HTTPError {
        .conflict("You already have an agent named \"\(name)\".")
    }

    func create(_ request: Request) throws -> Response {
        .jsonValue(try create(ownerID: request.callerID(), body: request.jsonBody()).json, status: 201)
    }

    /// Creates `ownerID`'s agent from a `POST /agents` body (the agents.v1 service runs this too).
    func create(ownerID owner: String, body: JSONValue) throws(HTTPError) -> Agent {
        let input = try AgentInput.create(body)
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

    func list(_ request: Request) throws -> Response {
        let caller = try request.callerID()
        var owner = caller
        if let requested = try request.query("owner_id"), requested != caller {
            guard request.principal?.isAdmin == true else {
                throw HTTPError.forbidden("Only administrators may list another user's agents.")
            }
            owner = requested
        }
        return .jsonValue(try page(ownerID: owner, query: request.query))
    }

    /// One page of `ownerID`'s agents, the paging parameters read through `query` (the
    /// agents.v1 service runs this too).
    func page(ownerID owner: String, query: (String) throws(HTTPError) -> String?) throws(HTTPError) -> JSONValue {
        let page = try PageRequest(query: query, sortFields: AgentStore.sortFields, defaultSort: "created_at")
        let (agents, total) = try HTTPError.mapping { try store.list(ownerID: owner, page: page) }
        return page.envelope(agents.map(\.json), total: total)
    }

    func get(_ request: Request) throws -> Response {
        let owner = try request.callerID()
        let id = try request.agentID()
        guard let agent = try HTTPError.mapping({ try store.find(id: id, ownerID: owner, in: store.database) }) else {
            throw HTTPError.notFound("No agent with this id.")
        }
        return .jsonValue(agent.json)
    }

    func update(_ request: Request) throws -> Response {
        let owner = try request.callerID()
        let id = try request.agentID()
        let input = try AgentInput.update(request.jsonBody())
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

    func delete(_ request: Request) throws -> Response {
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
