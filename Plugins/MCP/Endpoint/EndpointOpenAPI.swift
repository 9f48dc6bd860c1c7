import PluginKit

/// OpenAPI operations of /api/v1/mcp (the MCP messages themselves are JSON-RPC, described by
/// the MCP specification rather than here).
enum EndpointOpenAPI {
    private typealias API = OpenAPIOperation

    private static let message = API.object(
        ["jsonrpc": API.string(enumeration: ["2.0"]), "id": ["type": ["string", "integer"]], "method": API.string(),
         "params": API.anyObject, "result": API.anyObject, "error": API.anyObject],
        required: ["jsonrpc"], description: "One JSON-RPC 2.0 message (MCP, Streamable HTTP)")

    private static let sessionHeaders = [
        API.header("Mcp-Session-Id", API.string(), "The session initialize opened; required after it"),
        API.header("MCP-Protocol-Version", API.string(enumeration: MCPProtocolVersion.supported),
                   "The revision agreed at initialize (absent: 2025-03-26)"),
    ]

    static let post = API.make(
        summary: "MCP message",
        description: "Pattern Server as an MCP server (tools and memory resources under the caller's permissions). "
            + "A request is answered with its JSON-RPC response; a notification or response with 202. Accept must "
            + "list application/json and text/event-stream.",
        parameters: sessionHeaders, requestBody: message,
        responses: [200: ("The JSON-RPC response", message), 202: ("Accepted (a notification or response)", nil)],
        errors: [400, 401, 403, 404, 415, 503])

    static let delete = API.make(
        summary: "End an MCP session", parameters: sessionHeaders, responses: [204: ("Ended", nil)],
        errors: [400, 401, 403, 404])
}
