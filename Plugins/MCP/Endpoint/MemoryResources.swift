import Foundation
import PluginKit

/// Core memory blocks as MCP resources, `pattern://agents/{agent_id}/memory/{label}` (the
/// label percent-encoded): `resources/list` pages through the caller's agents, listing each
/// one's blocks; `resources/read` answers one block's text.
struct MemoryResources: Sendable {
    let services: PatternServices
    /// Agents per `resources/list` page.
    let agentsPerPage: Int

    static let prefix = "pattern://agents/"
    static let template: JSONValue = [
        "uriTemplate": "pattern://agents/{agent_id}/memory/{label}", "name": "core_memory",
        "title": "Core memory block", "description": "One core memory block of one of your agents.",
        "mimeType": "text/plain",
    ]
    private static let labelCharacters = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))

    static func uri(agentID: String, label: String) -> String {
        prefix + agentID + "/memory/" + (label.addingPercentEncoding(withAllowedCharacters: labelCharacters) ?? label)
    }

    func list(_ params: JSONValue?, caller: Principal) throws(JSONRPCError) -> JSONValue {
        let page = try ListCursor.position(params, list: "resources", first: 1)
        let (agents, totalPages) = try Self.answering { () throws(ToolFailure) -> ([JSONValue], Int) in
            try caller.require("read_agents")
            try caller.require("read_memory")
            let listed = try services.listAgents(ownerID: caller.userID, query: [
                "page": .integer(Int64(page)), "limit": .integer(Int64(min(agentsPerPage, PageRequest.maximumLimit))),
                "sort_by": "created_at",
            ]).value ?? [:]
            guard case .integer(let pages)? = listed["total_pages"] else { return (listed["items"]?.arrayValue ?? [], 0) }
            return (listed["items"]?.arrayValue ?? [], Int(pages))
        }
        var resources: [JSONValue] = []
        for agent in agents {
            guard let agentID = agent["id"]?.stringValue else { continue }
            let name = agent["name"]?.stringValue ?? agentID
            // An agent deleted since the page was read simply has no blocks to show.
            let blocks = (try? services.memoryBlocks(agentID: agentID, ownerID: caller.userID))?.value?.arrayValue ?? []
            for block in blocks {
                guard let label = block["memory_key"]?.stringValue else { continue }
                resources.append([
                    "uri": .string(Self.uri(agentID: agentID, label: label)), "name": .string("\(name)/\(label)"),
                    "description": .string("Core memory block \"\(label)\" of the agent \"\(name)\"."),
                    "mimeType": "text/plain",
                ])
            }
        }
        var result: [String: JSONValue] = ["resources": .array(resources)]
        if page < totalPages { result["nextCursor"] = .string(ListCursor.make(list: "resources", position: page + 1)) }
        return .object(result)
    }

    func read(_ params: JSONValue?, caller: Principal) throws(JSONRPCError) -> JSONValue {
        guard let uri = params?["uri"]?.stringValue else { throw .invalidParams("uri must be a resource URI") }
        guard let (agentID, label) = Self.parse(uri) else { throw Self.notFound(uri) }
        let blocks = try Self.answering { () throws(ToolFailure) -> [JSONValue] in
            try caller.require("read_memory")
            return try services.memoryBlocks(agentID: agentID, ownerID: caller.userID).value?.arrayValue ?? []
        }
        guard let block = blocks.first(where: { $0["memory_key"]?.stringValue == label }),
              let text = block["content"]?.stringValue else { throw Self.notFound(uri) }
        return ["contents": [["uri": .string(uri), "mimeType": "text/plain", "text": .string(text)]]]
    }

    private static func parse(_ uri: String) -> (agentID: String, label: String)? {
        guard uri.hasPrefix(prefix) else { return nil }
        let parts = uri.dropFirst(prefix.count).split(separator: "/", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, parts[1] == "memory", ResourceID.isValid(String(parts[0]), prefix: "agent"),
              let label = String(parts[2]).removingPercentEncoding, !label.isEmpty else { return nil }
        return (String(parts[0]), label)
    }

    /// The spec's "resource not found" code; another user's agent is just as absent.
    private static func notFound(_ uri: String) -> JSONRPCError {
        JSONRPCError(code: -32002, message: "Resource not found", data: ["uri": .string(uri)])
    }

    /// A failure as a protocol error (resources have no `isError`): a missing block is
    /// "not found", a missing permission or plugin an invalid request naming it.
    private static func answering<T>(_ body: () throws(ToolFailure) -> T) throws(JSONRPCError) -> T {
        do {
            return try body()
        } catch {
            switch error.kind {
            case .notFound: throw JSONRPCError(code: -32002, message: "Resource not found: \(error.message)")
            case .invalid, .forbidden: throw .invalidRequest(error.message)
            case .unavailable: throw .internalError(error.message)
            }
        }
    }
}
