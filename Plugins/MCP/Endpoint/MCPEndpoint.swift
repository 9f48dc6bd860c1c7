import Foundation
import PluginKit

/// `/api/v1/mcp`: the server as an MCP server over Streamable HTTP. One JSON-RPC message per
/// POST: a request is answered 200 with `application/json`, a notification or a response
/// 202 with no body; DELETE ends the session; GET (no server stream) gets the host's 405.
/// The route is authenticated like every REST route (the host answers 401), and each tool
/// holds the caller to its permission. Transport refusals carry a JSON-RPC error body, which
/// the SDK clients surface (and fall back from, for the 2026 `server/discover` probe).
struct MCPEndpoint: Sendable {
    static let path = "/api/v1/mcp"

    let sessions: EndpointSessions
    let origins: OriginPolicy
    let methods: EndpointMethods
    let serverVersion: String

    /// Reads the endpoint's config, sweeps idle sessions on a host timer and mounts the routes.
    static func start(_ host: PluginHost, serverVersion: String) throws {
        let config = try EndpointConfig.load(host)
        let sessions = EndpointSessions(maxSessions: config.maxSessions, maxSessionsPerUser: config.maxSessionsPerUser,
                                        idleLimit: .seconds(config.sessionIdleSeconds))
        let sweep = UInt64(min(config.sessionIdleSeconds, 60)) * 1000
        host.timer(afterMilliseconds: sweep, everyMilliseconds: sweep) { _ in sessions.expireIdle() }
        let services = PatternServices(host: host)
        let methods = EndpointMethods(tools: EndpointToolRunner(services: services),
                                      resources: MemoryResources(services: services, agentsPerPage: config.pageSize),
                                      toolsPerPage: config.pageSize)
        try MCPEndpoint(sessions: sessions, origins: OriginPolicy(host: host), methods: methods,
                        serverVersion: serverVersion).register(host)
    }

    /// One JSON-RPC 2.0 message (the MCP messages themselves are the MCP specification's to describe).
    private static let message = jsonRPC(id: JSONSchema.oneOf([.string, .integer]).orNull())

    /// A message a client sends: its `id`, when present, is never null (only an answer to an
    /// unreadable message has no id to echo).
    private static let incoming = jsonRPC(id: JSONSchema.oneOf([.string, .integer]))

    private static func jsonRPC(id: JSONSchema) -> JSONSchema {
        JSONSchema.object([
            .property("jsonrpc", JSONSchema.string.oneOf(["2.0"])), .property("id", id, required: false),
            .property("method", .string, required: false),
            .property("params", .object, required: false), .property("result", .object, required: false),
            .property("error", .object, required: false),
        ]).describe("One JSON-RPC 2.0 message (MCP, Streamable HTTP)")
    }

    /// The headers of a POST (`Mcp-Session-Id` is required after initialize, which opens the session).
    private static let postHeaders: [JSONSchema.Property] = [
        .property("Accept", JSONSchema.string.oneOf([acceptedTypes]).describe("Must list both types the transport answers with")),
        .property("Mcp-Session-Id", sessionID.describe("The session initialize opened; required after it"), required: false),
        protocolVersion,
    ]

    /// The headers of a DELETE, which names the session it ends.
    private static let deleteHeaders: [JSONSchema.Property] = [
        .property("Mcp-Session-Id", sessionID.describe("The session to end")), protocolVersion,
    ]

    private static let acceptedTypes = "application/json, text/event-stream"
    private static let sessionID = JSONSchema.string
    private static let protocolVersion = JSONSchema.Property.property(
        "MCP-Protocol-Version", JSONSchema.string.oneOf(MCPProtocolVersion.supported)
            .describe("The revision agreed at initialize (absent: 2025-03-26)"), required: false)

    func register(_ host: PluginHost) throws {
        // The Origin and Accept checks come before the body, so the handler reads it itself.
        let post = RouteDocumentation(
            summary: "MCP message",
            description: "Pattern Server as an MCP server (tools and memory resources under the caller's permissions). "
                + "A request is answered with its JSON-RPC response; a notification or response with 202. Accept must "
                + "list application/json and text/event-stream.",
            requestBody: Self.incoming, headers: Self.postHeaders,
            responses: [200: Reply.json(Self.message, "The JSON-RPC response").orEventStream(),
                        202: .empty("Accepted (a notification or response)"),
                        400: .json(Self.message, "A JSON-RPC error: the message is malformed"),
                        404: .json(Self.message, "A JSON-RPC error: the session is unknown or ended"),
                        406: .json(Self.message, "A JSON-RPC error: Accept lacks application/json or text/event-stream"),
                        415: .json(Self.message, "A JSON-RPC error: the body is not JSON"),
                        503: .json(Self.message, "A JSON-RPC error: the server holds its maximum of sessions")])
        try host.route(.post, Self.path, openAPI: post.jsonText) { try self.post($0) }
        try host.route(.delete, Self.path, summary: "End an MCP session", headers: Self.deleteHeaders,
                       responds: [204: .empty("Ended"), 400: .json(Self.message, "A JSON-RPC error: Mcp-Session-Id is missing"),
                                  404: .json(Self.message, "A JSON-RPC error: the session is unknown or ended")]) {
            try delete($0)
        }
    }

    func post(_ request: Request) throws -> Response {
        let caller = try Self.caller(request)
        if let refusal = Self.checkOrigin(request, origins) ?? Self.checkMediaTypes(request) { return refusal }
        let message: JSONRPCMessage
        switch JSONRPCMessage.parse(request.body) {
        case .success(let parsed): message = parsed
        case .failure(let error): return Self.refuse(400, id: nil, error)
        }
        let id = message.requestID
        if let version = request.header("mcp-protocol-version"), !MCPProtocolVersion.isSupported(version) {
            return Self.refuse(400, id: id, .invalidRequest(
                "unsupported MCP-Protocol-Version \(version.prefix(40)); this server speaks "
                + MCPProtocolVersion.supported.joined(separator: ", ")))
        }
        if case .request(let id, "initialize", let params) = message {
            return initialize(id, params, caller: caller)
        }
        guard let sessionID = request.header("mcp-session-id") else {
            return Self.refuse(400, id: id, .invalidRequest("Mcp-Session-Id is required after initialize"))
        }
        guard sessions.use(sessionID, userID: caller.userID) != nil else {
            return Self.refuse(404, id: id, .invalidRequest("unknown or ended session: initialize again"))
        }
        guard case .request(let requestID, let method, let params) = message else { return Response(status: 202) }
        let answer: MethodAnswer
        do {
            answer = try methods.answer(method, params, caller: caller)
        } catch {
            return Self.json(.error(id: requestID, error))
        }
        switch answer {
        case .now(let result):
            return Self.reply(requestID, result)
        case .later(let start):
            let response = try request.deferResponse()
            start { result in response.finish(Self.reply(requestID, result)) }
            return .deferred
        }
    }

    func delete(_ request: Request) throws -> Response {
        let caller = try Self.caller(request)
        if let refusal = Self.checkOrigin(request, origins) { return refusal }
        guard let sessionID = request.header("mcp-session-id") else {
            return Self.refuse(400, id: nil, .invalidRequest("Mcp-Session-Id is required"))
        }
        guard sessions.close(sessionID, userID: caller.userID) else {
            return Self.refuse(404, id: nil, .invalidRequest("unknown or ended session"))
        }
        return .noContent
    }

    private func initialize(_ id: JSONRPCID, _ params: JSONValue?, caller: Principal) -> Response {
        let result = EndpointMethods.initializeResult(params, serverVersion: serverVersion)
        switch sessions.open(userID: caller.userID) {
        case .opened(let sessionID):
            var response = Self.reply(id, ServiceAnswer(result))
            response.headers.append(("Mcp-Session-Id", sessionID))
            return response
        case .full:
            var response = Self.refuse(503, id: id, .invalidRequest(
                "the server holds its maximum of \(sessions.maxSessions) MCP sessions; retry later"))
            response.headers.append(("Retry-After", "60"))
            return response
        }
    }

    // MARK: Transport checks

    private static func caller(_ request: Request) throws(HTTPError) -> Principal {
        guard let principal = request.principal, !principal.userID.isEmpty else {
            throw HTTPError.unauthorized("Authentication is required.")
        }
        return principal
    }

    /// 403 for a browser origin that is neither this server nor a configured CORS origin.
    private static func checkOrigin(_ request: Request, _ origins: OriginPolicy) -> Response? {
        guard origins.allows(origin: request.header("origin"), host: request.header("host")) else {
            return refuse(403, id: nil, .invalidRequest("Origin not allowed"))
        }
        return nil
    }

    /// 406 unless Accept lists both answers the transport allows; 415 unless the body is JSON.
    private static func checkMediaTypes(_ request: Request) -> Response? {
        let accepted = (request.header("accept") ?? "").lowercased().split(separator: ",")
            .map { $0.trimmingCharacters(in: .whitespaces) }
        guard accepted.contains(where: { $0.hasPrefix("application/json") }),
              accepted.contains(where: { $0.hasPrefix("text/event-stream") }) else {
            return refuse(406, id: nil, .invalidRequest("Accept must list both application/json and text/event-stream"))
        }
        guard (request.header("content-type") ?? "").lowercased().hasPrefix("application/json") else {
            return refuse(415, id: nil, .invalidRequest("Content-Type must be application/json"))
        }
        return nil
    }

    /// The JSON-RPC response around a result's JSON text (JSONRPCMessage.result's shape, with
    /// the result spliced in as it is rather than parsed and written again).
    private static func reply(_ id: JSONRPCID, _ result: ServiceAnswer) -> Response {
        let message = ServiceAnswer.object(["jsonrpc": ServiceAnswer("2.0"), "id": ServiceAnswer(id.json), "result": result])
        return Response(status: 200, headers: [("Content-Type", "application/json")], body: message.bytes)
    }

    private static func json(_ message: JSONRPCMessage, status: Int = 200) -> Response {
        Response(status: status, headers: [("Content-Type", "application/json")], body: message.bytes)
    }

    private static func refuse(_ status: Int, id: JSONRPCID?, _ error: JSONRPCError) -> Response {
        json(.error(id: id, error), status: status)
    }
}

extension JSONRPCMessage {
    /// The id of a request (what an error about it must echo); nil for anything else.
    fileprivate var requestID: JSONRPCID? {
        if case .request(let id, _, _) = self { id } else { nil }
    }
}
