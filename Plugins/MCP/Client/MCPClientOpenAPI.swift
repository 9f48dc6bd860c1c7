import PluginKit

/// OpenAPI operations of the MCP server registry's routes, with their request and response schemas.
enum MCPClientOpenAPI {
    private typealias API = OpenAPIOperation
    private typealias Input = MCPServerInput

    private static let name: JSONValue = [
        "type": "string", "pattern": "^[A-Za-z0-9_.-]{1,64}$",
        "description": "Unique among the caller's servers; agents name its tools mcp:<name>/<tool>",
    ]
    private static let description: JSONValue = ["type": ["string", "null"], "maxLength": .integer(Int64(Input.maxDescriptionBytes))]

    static let tool = API.object([
        "name": API.string(), "description": ["type": ["string", "null"]],
        "input_schema": ["type": "object", "description": "The tool's JSON Schema for its arguments"],
    ], required: ["name", "description", "input_schema"])

    private static let transportShown: JSONValue = [
        "oneOf": [
            API.object(["type": ["const": "stdio"], "command": API.string(), "args": API.array(API.string())],
                       required: ["type", "command", "args"]),
            API.object(["type": ["const": "http"], "url": API.string()], required: ["type", "url"]),
        ],
        "description": "How the server is reached, without env or header values (never returned)",
    ]

    static let server = API.object([
        "id": API.string("mcp_…"), "name": API.string(), "description": ["type": ["string", "null"]],
        "owner_id": API.string(), "transport_type": API.string(enumeration: ["stdio", "http"]),
        "transport": transportShown, "auto_reconnect": API.boolean, "enabled": API.boolean,
        "status": API.string("The connection now", enumeration: ["connected", "connecting", "disconnected", "error"]),
        "connected_at": API.nullableTimestamp,
        "last_error": ["type": ["string", "null"], "description": "Why the last attempt or call failed"],
        "available_tools": API.array(tool), "created_at": API.timestamp, "updated_at": API.timestamp,
    ], required: ["id", "name", "description", "owner_id", "transport_type", "transport", "auto_reconnect", "enabled",
                  "status", "connected_at", "last_error", "available_tools", "created_at", "updated_at"])

    private static func secretMap(_ what: String) -> JSONValue {
        ["type": "object", "additionalProperties": ["type": "string", "maxLength": .integer(Int64(Input.maxValueBytes))],
         "description": .string("\(what): stored sealed (AES-256-GCM), never returned or logged")]
    }

    private static let transportGiven: JSONValue = [
        "oneOf": [
            API.object([
                "type": ["const": "stdio"],
                "command": API.string("An absolute path, exactly one of [mcp] stdio_commands (admins only)"),
                "args": API.array(API.string(), maxItems: Input.maxArguments),
                "env": secretMap("The child's whole environment"),
            ], required: ["type", "command"]),
            API.object([
                "type": API.string("Streamable HTTP; http_sse is a synonym", enumeration: ["http", "http_sse"]),
                "url": API.string("http(s) URL of the MCP endpoint. Loopback and private addresses are refused unless "
                                  + "the operator allows them ([outbound] allow)"),
                "headers": secretMap("Extra request headers (e.g. Authorization)"),
            ], required: ["type", "url"]),
        ],
    ]

    private static let idErrors = [400, 401, 403, 404]

    static let create = API.make(
        summary: "Register an MCP server",
        description: "Answers once the first connection attempt has connected (status connected, available_tools "
            + "listed) or failed (status error, last_error). A stdio server runs a program on this host: only "
            + "administrators may register one, and only a command the operator allows. At most [mcp] "
            + "max_servers_per_user per user (409); names are unique per user (409).",
        requestBody: API.object(["name": name, "description": description, "transport": transportGiven,
                                 "auto_reconnect": API.boolean], required: ["name", "transport"]),
        responses: [201: ("The new server and its first connection's outcome", server)], errors: [400, 401, 403, 409, 415])

    static let list = API.make(
        summary: "List the caller's MCP servers", description: "is_active filters on enabled.",
        parameters: API.pageParameters(sortFields: MCPServerStore.sortFields),
        responses: [200: ("One page of servers", API.page(of: server))], errors: [400, 401])

    static let get = API.make(summary: "Get an MCP server", responses: [200: ("The server", server)], errors: [401, 404])

    static let update = API.make(
        summary: "Update an MCP server",
        description: "enabled false disconnects it (a stdio child is stopped); true connects it again. "
            + "auto_reconnect true tries a server in error again at once.",
        requestBody: API.object(["name": name, "description": description, "auto_reconnect": API.boolean,
                                 "enabled": API.boolean]),
        responses: [200: ("The updated server", server)], errors: idErrors + [409, 415])

    static let delete = API.make(summary: "Remove an MCP server", description: "Disconnects it (a stdio child is stopped).",
                                 responses: [204: ("Removed", nil)], errors: idErrors)

    static let call = API.make(
        summary: "Call a tool of an MCP server",
        description: "Answers the server's tools/call result. A tool's own failure is a result with isError true; "
            + "502 when the server answers an error or more than [mcp] max_message_bytes, 503 when it is not "
            + "connected, 504 when it does not answer within [mcp] call_timeout_seconds (the call is cancelled), "
            + "429 when [mcp] max_concurrent_calls calls to it are in flight.",
        parameters: [["name": "name", "in": "path", "required": true, "schema": ["type": "string"],
                      "description": "The tool's name"]],
        requestBody: API.object(["arguments": ["type": "object", "description": "The tool's arguments"]]),
        responses: [200: ("The tools/call result", API.object([
            "content": API.array(API.anyObject), "isError": API.boolean, "structuredContent": API.anyObject,
        ], required: ["content"]))],
        errors: idErrors + [415, 429, 502, 503, 504])
}
