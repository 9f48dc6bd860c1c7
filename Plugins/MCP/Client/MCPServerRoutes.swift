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
        let server = Reply.json(MCPServerRegistration.schema, "The server")
        try host.route(.post, "/api/v1/mcp/servers", permission: Self.permission, summary: "Register an MCP server",
                       description: "Answers once the first connection attempt has connected (status connected, "
                           + "available_tools listed) or failed (status error, last_error). A stdio server runs a program "
                           + "on this host: only administrators may register one, and only a command the operator allows. "
                           + "At most [mcp] max_servers_per_user per user (409); names are unique per user (409).",
                       body: MCPServerCreate.self,
                       responds: [201: .json(MCPServerRegistration.schema, "The new server and its first connection's outcome")],
                       errors: [403: "A stdio server needs an administrator", 409: "The name is taken, or you have the most servers"]) {
            try create($0, $1)
        }
        try host.route(.get, "/api/v1/mcp/servers", summary: "List the caller's MCP servers",
                       description: "is_active filters on enabled.", query: MCPServerListQuery.self,
                       responds: [200: .json(PageRequest.envelopeSchema(of: MCPServerRegistration.schema), "One page of servers")]) {
            try list($0, $1)
        }
        try host.route(.get, "/api/v1/mcp/servers/{id}", summary: "Get an MCP server", responds: [200: server]) { try get($0) }
        try host.route(.patch, "/api/v1/mcp/servers/{id}", permission: Self.permission, summary: "Update an MCP server",
                       description: "enabled false disconnects it (a stdio child is stopped); true connects it again. "
                           + "auto_reconnect true tries a server in error again at once.",
                       body: MCPServerInput.self, responds: [200: server],
                       errors: [409: "The name is taken, or the stored secrets cannot be opened"]) { try update($0, $1) }
        try host.route(.delete, "/api/v1/mcp/servers/{id}", permission: Self.permission, summary: "Remove an MCP server",
                       description: "Disconnects it (a stdio child is stopped).", responds: [204: .empty("Removed")]) {
            try delete($0)
        }
        // The body is optional (no arguments), so the handler reads it itself.
        let call = RouteDocumentation(
            summary: "Call a tool of an MCP server",
            description: "Answers the server's tools/call result. A tool's own failure is a result with isError true; "
                + "502 when the server answers an error or more than [mcp] max_message_bytes, 503 when it is not "
                + "connected, 504 when it does not answer within [mcp] call_timeout_seconds (the call is cancelled), "
                + "429 when [mcp] max_concurrent_calls calls to it are in flight.",
            requestBody: ToolCallBody.schema,
            responses: [200: .json(JSONSchema.object([
                .property("content", .array(.object)), .property("isError", .boolean, required: false),
                .property("structuredContent", .object, required: false),
            ]), "The tools/call result")],
            errors: [502: "The server answered an error", 503: "The server is not connected",
                     504: "The server did not answer in time"])
        try host.route(.post, "/api/v1/mcp/servers/{id}/tools/{name}/call", permission: Self.permission,
                       openAPI: call.jsonText) { try self.call($0) }
    }

    private func create(_ request: Request, _ create: MCPServerCreate) throws -> Response {
        let owner = try request.callerID()
        let (input, transport) = (create.input, create.transport.transport)
        let name = input.name ?? ""
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
            sealed = try vault.seal(create.transport.secrets, id: server.id)
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
        connections.start(server, secrets: create.transport.secrets).whenSettled { live in
            response.finish(.jsonValue(server.json(live), status: 201))
        }
        return .deferred
    }

    private func list(_ request: Request, _ query: MCPServerListQuery) throws -> Response {
        let owner = try request.callerID()
        let page = query.page
        let (servers, total) = try HTTPError.mapping { try store.list(ownerID: owner, page: page) }
        return .jsonValue(page.envelope(servers.map { $0.json(connections.snapshot($0.id)) }, total: total))
    }

    private func get(_ request: Request) throws -> Response {
        let server = try find(request)
        return .jsonValue(server.json(connections.snapshot(server.id)))
    }

    private func update(_ request: Request, _ input: MCPServerInput) throws -> Response {
        let owner = try request.callerID()
        let id = try request.mcpServerID()
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

    private func delete(_ request: Request) throws -> Response {
        let owner = try request.callerID()
        let id = try request.mcpServerID()
        guard try HTTPError.mapping({ try store.delete(id: id, ownerID: owner) }) else { throw Self.notFound }
        connections.stop(id, reason: "the server was removed")
        return .noContent
    }

    private func call(_ request: Request) throws -> Response {
        let server = try find(request)
        let toolName = request.pathParameter("name").flatMap { $0.removingPercentEncoding } ?? ""
        let arguments = request.body.isEmpty ? [:] : try ToolCallBody(json: request.jsonBody()).arguments
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

/// The query of `GET /mcp/servers`: a page (`is_active` filters on enabled).
struct MCPServerListQuery: JSONObject {
    var page = PageRequest(sortBy: "created_at")
    static let fields: [JSONField<Self>] = PageRequest.fields(\.page, sortFields: MCPServerStore.sortFields)
}

/// The body of a tool call: `{arguments?}`.
struct ToolCallBody: JSONObject {
    var arguments: JSONValue = [:]
    static let fields: [JSONField<Self>] = [
        JSONField("arguments", \.arguments) { _ in JSONSchema.object.describe("The tool's arguments") },
    ]
}
