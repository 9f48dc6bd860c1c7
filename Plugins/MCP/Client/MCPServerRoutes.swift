import Foundation
import PluginKit
import Synchronization

/// `/api/v1/mcp/servers`: the caller's MCP servers, and calling one of their tools. Creating
/// one answers once its first connection attempt has connected or failed (a deferred response:
/// no worker waits on the server); a tool call answers when the server does.
struct MCPServerRoutes: Sendable {
    let store: MCPServerStore
    let vault: MCPSecretsVault
    let connections: MCPConnectionTable
    let config: MCPConfig

    static let permission = "manage_mcp_servers"
    static let notFound = HTTPError.notFound("No MCP server with this id.")

    func register(_ host: PluginHost) throws {
        try host.route(.post, "/api/v1/mcp/servers", permission: Self.permission, openAPI: MCPClientOpenAPI.create) {
            try create($0)
        }
        try host.route(.get, "/api/v1/mcp/servers", openAPI: MCPClientOpenAPI.list) { try list($0) }
        try host.route(.get, "/api/v1/mcp/servers/{id}", openAPI: MCPClientOpenAPI.get) { try get($0) }
        try host.route(.patch, "/api/v1/mcp/servers/{id}", permission: Self.permission, openAPI: MCPClientOpenAPI.update) {
            try update($0)
        }
        try host.route(.delete, "/api/v1/mcp/servers/{id}", permission: Self.permission, openAPI: MCPClientOpenAPI.delete) {
            try delete($0)
        }
        try host.route(.post, "/api/v1/mcp/servers/{id}/tools/{name}/call", permission: Self.permission,
                       openAPI: MCPClientOpenAPI.call) { try call($0) }
    }

    func create(_ request: Request) throws -> Response {
        let owner = try request.callerID()
        let input = try MCPServerInput.create(request.jsonBody())
        guard let name = input.name, let transport = input.transport else { throw HTTPError.validation("transport", "is required") }
        if case .stdio(let command, _) = transport {
            // A stdio server runs a program on this host: an operator's decision, per command.
            guard request.principal?.isAdmin == true else {
                throw HTTPError.forbidden("Only administrators may register stdio MCP servers.")
            }
            guard config.stdioCommands.contains(command) else {
                throw HTTPError.validation("transport.command", "is not one of the commands the operator allows ([mcp] stdio_commands)")
            }
        }
        let now = Timestamp.rfc3339(Date())
        let server = MCPServerRegistration(
            id: ResourceID.make("mcp"), ownerID: owner, name: name, description: input.description ?? nil,
            transport: transport, autoReconnect: input.autoReconnect ?? true, enabled: true, createdAt: now, updatedAt: now)
        let sealed: String
        do {
            sealed = try vault.seal(input.secrets, id: server.id)
        } catch {
            throw HTTPError(status: 500, type: "internal_error", message: "The server's secrets could not be stored.")
        }
        try HTTPError.mapping(conflict: Self.nameTaken(name)) {
            try store.database.transaction { transaction in
                let count = try store.count(ownerID: owner, in: transaction)
                guard count < config.maxServersPerUser else {
                    throw HTTPError.conflict("You already have \(config.maxServersPerUser) MCP servers; delete one first.")
                }
                try store.insert(server, sealedSecrets: sealed, in: transaction)
            }
        }
        let response = try request.deferResponse()
        connections.start(server, secrets: input.secrets).whenSettled { live in
            response.finish(.jsonValue(server.json(live), status: 201))
        }
        return .deferred
    }

    func list(_ request: Request) throws -> Response {
        let owner = try request.callerID()
        let page = try PageRequest(request, sortFields: MCPServerStore.sortFields, defaultSort: "created_at")
        let (servers, total) = try HTTPError.mapping { try store.list(ownerID: owner, page: page) }
        return .jsonValue(page.envelope(servers.map { $0.json(connections.snapshot($0.id)) }, total: total))
    }

    func get(_ request: Request) throws -> Response {
        let server = try find(request)
        return .jsonValue(server.json(connections.snapshot(server.id)))
    }

    func update(_ request: Request) throws -> Response {
        let owner = try request.callerID()
        let id = try request.mcpServerID()
        let input = try MCPServerInput.update(request.jsonBody())
        let (before, after) = try HTTPError.mapping(conflict: input.name.map(Self.nameTaken)) {
            try store.database.transaction { transaction -> (MCPServerRegistration, MCPServerRegistration) in
                guard let before = try store.find(id: id, ownerID: owner, in: transaction) else { throw Self.notFound }
                var server = before
                if let name = input.name { server.name = name }
                if let description = input.description { server.description = description }
                if let autoReconnect = input.autoReconnect { server.autoReconnect = autoReconnect }
                if let enabled = input.enabled { server.enabled = enabled }
                server.updatedAt = Timestamp.rfc3339(Date())
                guard try store.update(server, in: transaction) else { throw Self.notFound }
                return (before, server)
            }
        }
        if before.enabled, !after.enabled {
            connections.stop(id, reason: "the server was disabled")
        } else if !before.enabled, after.enabled {
            connections.start(after, secrets: try secrets(of: id))
        } else {
            connections.connection(id)?.setAutoReconnect(after.autoReconnect)
        }
        return .jsonValue(after.json(connections.snapshot(id)))
    }

    func delete(_ request: Request) throws -> Response {
        let owner = try request.callerID()
        let id = try request.mcpServerID()
        guard try HTTPError.mapping({ try store.delete(id: id, ownerID: owner) }) else { throw Self.notFound }
        connections.stop(id, reason: "the server was removed")
        return .noContent
    }

    func call(_ request: Request) throws -> Response {
        let server = try find(request)
        let toolName = request.pathParameter("name").flatMap { $0.removingPercentEncoding } ?? ""
        let body = request.body.isEmpty ? JSONValue.object([:]) : try request.jsonBody()
        let fields = try JSONFields(body)
        let arguments = try fields.object("arguments").map { JSONValue.object($0.members) } ?? [:]
        guard let connection = connections.connection(server.id) else {
            throw HTTPError(status: 503, type: "service_unavailable", message: "The MCP server is disabled.")
        }
        let live = connection.snapshot
        guard live.status == .connected else {
            throw MCPCallError.unavailable(live.lastError ?? "it is \(live.status.rawValue)").httpError
        }
        guard live.tools.contains(where: { $0.name == toolName }) else {
            throw HTTPError.notFound("The MCP server lists no tool named \"\(toolName.prefix(128))\".")
        }
        let response = try request.deferResponse()
        // A caller that leaves frees its call's slot at once and the server stops working on it.
        let call = Mutex<(id: JSONRPCID?, callerLeft: Bool)>((nil, false))
        response.observe(onCancel: {
            let id = call.withLock { call in
                call.callerLeft = true
                return call.id
            }
            if let id { connection.cancelCall(id, reason: "the caller went away") }
        })
        let id = connection.callTool(toolName, arguments: arguments) { result in
            switch result {
            case .success(let answer): response.finish(.jsonValue(answer))
            case .failure(let error): response.finish(error.httpError)
            }
        }
        let left = call.withLock { call in
            call.id = id
            return call.callerLeft
        }
        if left, let id { connection.cancelCall(id, reason: "the caller went away") }
        return .deferred
    }

    private func find(_ request: Request) throws -> MCPServerRegistration {
        let owner = try request.callerID()
        let id = try request.mcpServerID()
        guard let server = try HTTPError.mapping({ try store.find(id: id, ownerID: owner, in: store.database) }) else {
            throw Self.notFound
        }
        return server
    }

    private func secrets(of id: String) throws(HTTPError) -> MCPServerSecrets {
        do {
            guard let sealed = try store.sealedSecrets(id: id) else { throw Self.notFound }
            return try vault.open(sealed, id: id)
        } catch let error as HTTPError {
            throw error
        } catch {
            throw HTTPError.conflict("The stored secrets of this MCP server cannot be opened; register it again.")
        }
    }

    private static func nameTaken(_ name: String) -> HTTPError {
        .conflict("You already have an MCP server named \"\(name)\".")
    }
}

extension Request {
    /// The `{id}` of an MCP server route.
    func mcpServerID() throws(HTTPError) -> String {
        try resourceID(prefix: "mcp", missing: "No MCP server with this id.")
    }
}
