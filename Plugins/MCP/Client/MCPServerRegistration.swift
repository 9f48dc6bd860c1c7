import PluginKit

/// One of a user's MCP servers as stored: everything but the secrets (env and header values,
/// sealed apart). What it is doing right now lives in its `MCPConnection`.
struct MCPServerRegistration: Sendable, Equatable {
    var id: String
    var ownerID: String
    var name: String
    var description: String?
    var transport: Transport
    var autoReconnect: Bool
    var enabled: Bool
    var createdAt: String
    var updatedAt: String

    /// How to reach the server, without secret values.
    enum Transport: Sendable, Equatable {
        case stdio(command: String, arguments: [String])
        case http(url: String)

        var type: String {
            switch self {
            case .stdio: "stdio"
            case .http: "http"
            }
        }

        /// As stored: `{"type", "command", "args"}` or `{"type", "url"}`.
        var json: JSONValue {
            switch self {
            case .stdio(let command, let arguments):
                ["type": "stdio", "command": .string(command), "args": .array(arguments.map { .string($0) })]
            case .http(let url):
                ["type": "http", "url": .string(url)]
            }
        }

        init?(stored: JSONValue) {
            switch stored["type"]?.stringValue {
            case "stdio":
                guard let command = stored["command"]?.stringValue else { return nil }
                self = .stdio(command: command, arguments: stored["args"]?.arrayValue?.compactMap(\.stringValue) ?? [])
            case "http":
                guard let url = stored["url"]?.stringValue else { return nil }
                self = .http(url: url)
            default:
                return nil
            }
        }
    }

    /// The schema of `json(_:)`.
    static let schema = JSONSchema.object([
        .property("id", JSONSchema.string.describe("mcp_…")), .property("name", .string),
        .property("description", JSONSchema.string.orNull()), .property("owner_id", .string),
        .property("transport_type", JSONSchema.string.oneOf(["stdio", "http"])),
        .property("transport", JSONSchema.oneOf([
            .tagged("type", "stdio", [.property("command", .string), .property("args", .array(.string))]),
            .tagged("type", "http", [.property("url", .string)]),
        ]).describe("How the server is reached, without env or header values (never returned)")),
        .property("auto_reconnect", .boolean), .property("enabled", .boolean),
        .property("status", JSONSchema.string.oneOf(["connected", "connecting", "disconnected", "error"])
            .describe("The connection now")),
        .property("connected_at", JSONSchema.timestamp.orNull()),
        .property("last_error", JSONSchema.string.orNull().describe("Why the last attempt or call failed")),
        .property("available_tools", .array(.object([
            .property("name", .string), .property("description", JSONSchema.string.orNull()),
            .property("input_schema", JSONSchema.object.describe("The tool's JSON Schema for its arguments")),
        ]))),
        .property("created_at", .timestamp), .property("updated_at", .timestamp),
    ]).named("MCPServer")

    /// API.md's server response, with the connection's live `status`, `connected_at`,
    /// `last_error` and `available_tools`. Never a secret value.
    func json(_ live: MCPConnection.Snapshot) -> JSONValue {
        [
            "id": .string(id), "name": .string(name), "description": description.map { .string($0) } ?? .null,
            "owner_id": .string(ownerID), "transport_type": .string(transport.type), "transport": transport.json,
            "auto_reconnect": .bool(autoReconnect), "enabled": .bool(enabled), "status": .string(live.status.rawValue),
            "connected_at": live.connectedAt.map { .string($0) } ?? .null,
            "last_error": live.lastError.map { .string($0) } ?? .null,
            "available_tools": .array(live.tools.map(\.json)),
            "created_at": .string(createdAt), "updated_at": .string(updatedAt),
        ]
    }
}
