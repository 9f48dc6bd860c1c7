import PluginABI
import PluginKit

/// Agents' MCP tools by their `mcp:<server name>/<tool name>` names: which of them an owner's
/// connected servers offer now, and calling one.
struct MCPToolDirectory: Sendable {
    let store: MCPServerStore
    let connections: MCPConnectionTable

    static let prefix = "mcp:"

    /// Why a call did not reach a result: API.md's error and mcp.v1's status for it.
    struct Failure: Error, Sendable {
        var error: HTTPError
        var status: pattern_status
    }

    /// `mcp:<server>/<tool>` split at the first slash (server names have none).
    static func split(_ name: String) -> (server: String, tool: String)? {
        guard name.hasPrefix(prefix) else { return nil }
        let rest = name.dropFirst(prefix.count)
        guard let slash = rest.firstIndex(of: "/") else { return nil }
        let server = String(rest[..<slash]), tool = String(rest[rest.index(after: slash)...])
        return server.isEmpty || tool.isEmpty ? nil : (server, tool)
    }

    /// A model's tool definitions `{name, description, parameters}` for the usable ones of `names`.
    func definitions(ownerID: String, names: [String]) -> [JSONValue] {
        var toolsByServer: [String: [RemoteTool]] = [:]
        var seen: Set<String> = []
        return names.compactMap { name in
            guard seen.insert(name).inserted, let (server, tool) = Self.split(name) else { return nil }
            if toolsByServer[server] == nil { toolsByServer[server] = liveTools(ownerID: ownerID, server: server) }
            guard let found = toolsByServer[server]?.first(where: { $0.name == tool }) else { return nil }
            return ["name": .string(name), "description": .string(found.description ?? ""),
                    "parameters": found.inputSchema]
        }
    }

    /// The tools a connected server of the owner lists now ([] when there is none).
    private func liveTools(ownerID: String, server: String) -> [RemoteTool] {
        guard let registration = try? store.find(name: server, ownerID: ownerID), registration.enabled,
              let connection = connections.connection(registration.id)
        else { return [] }
        let live = connection.snapshot
        return live.status == .connected ? live.tools : []
    }

    func call(ownerID: String, tool name: String, arguments: JSONValue, timeoutSeconds: Int?,
              _ completion: @escaping @Sendable (Result<JSONValue, Failure>) -> Void) {
        guard let (server, tool) = Self.split(name) else {
            return completion(.failure(Failure(error: .notFound("\(name.prefix(200)) is not an mcp:<server>/<tool> name."),
                                               status: PATTERN_NOT_FOUND)))
        }
        let registration: MCPServerRegistration?
        do {
            registration = try store.find(name: server, ownerID: ownerID)
        } catch {
            return completion(.failure(Failure(error: .database(error), status: PATTERN_BUSY)))
        }
        guard let registration, registration.enabled, let connection = connections.connection(registration.id) else {
            return completion(.failure(Failure(error: .notFound("There is no enabled MCP server named \"\(server)\"."),
                                               status: PATTERN_NOT_FOUND)))
        }
        let live = connection.snapshot
        if live.status == .connected, !live.tools.contains(where: { $0.name == tool }) {
            return completion(.failure(Failure(
                error: .notFound("The MCP server \"\(server)\" lists no tool named \"\(tool.prefix(128))\"."),
                status: PATTERN_NOT_FOUND)))
        }
        connection.callTool(tool, arguments: arguments, timeoutSeconds: timeoutSeconds) { result in
            completion(result.mapError { error in
                let status = switch error {
                case .unavailable, .busy, .refused: PATTERN_BUSY
                case .timeout: PATTERN_STATE
                case .server, .tooLarge, .malformed: PATTERN_INTERNAL
                }
                return Failure(error: error.httpError, status: status)
            })
        }
    }
}
