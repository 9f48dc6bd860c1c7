import PluginKit

/// `PATCH /mcp/servers/{id}` `{name?, description?, auto_reconnect?, enabled?}`, checked for
/// shape and size, every problem naming its field. Who may register what (admins, the stdio
/// allow-list) is the routes' to judge.
struct MCPServerInput: JSONObject {
    var name: String?
    /// nil: unchanged; .some(nil): cleared.
    var description: String??
    var autoReconnect: Bool?
    var enabled: Bool?

    static let maxNameBytes = 64
    static let maxDescriptionLength = 2048
    static let maxArguments = 64
    static let maxArgumentBytes = 4096
    static let maxVariables = 64
    static let maxHeaders = 32
    static let maxValueBytes = 8192
    static let maxURLBytes = 2048

    static let fields: [JSONField<Self>] = [
        JSONField("name", \.name) { _ in
            JSONSchema.string.length(1...maxNameBytes).pattern("^[A-Za-z0-9_.-]+$") { $0.unicodeScalars.allSatisfy(isNameCharacter) }
                .describe("Unique among the caller's servers; agents name its tools mcp:<name>/<tool>")
        },
        JSONField("description", \.description) { $0.maxLength(maxDescriptionLength) },
        JSONField("auto_reconnect", \.autoReconnect),
        JSONField("enabled", \.enabled),
        JSONField("transport", schema: JSONSchema.never.describe("Cannot be changed: register the server again")
            .checked { _, path throws(HTTPError) in throw .validation(path, "cannot be changed: register the server again") },
                  get: { _ in JSONValue.null }, set: { (_: inout Self, _: JSONValue) in }),
    ]

    private static func isNameCharacter(_ scalar: Unicode.Scalar) -> Bool {
        scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || "_.-".unicodeScalars.contains(scalar))
    }
}

/// `POST /mcp/servers` `{name, transport, description?, auto_reconnect?}`.
struct MCPServerCreate: JSONObject {
    var input = MCPServerInput()
    var transport = MCPTransportInput()

    static let fields: [JSONField<Self>] = MCPServerInput.fields.filter { !["enabled", "transport"].contains($0.property.key) }
        .map { $0.lifted(\.input, required: $0.property.key == "name") }
        + [JSONField("transport", \.transport, required: true)]
}

/// How a new server is reached, with its secrets (env values, header values): the hand
/// parser is the check, naming the field at fault.
struct MCPTransportInput: SchemaValue {
    var transport = MCPServerRegistration.Transport.http(url: "")
    var secrets = MCPServerSecrets()

    private typealias Input = MCPServerInput

    private static func secretMap(_ what: String) -> JSONSchema {
        JSONSchema.object.orNull().describe("\(what): string values of at most \(Input.maxValueBytes) bytes, stored "
                                            + "sealed (AES-256-GCM), never returned or logged")
    }

    private static func isAbsolutePath(_ text: String) -> Bool { text.hasPrefix("/") && !text.utf8.contains(0) }

    private static let withoutNUL = JSONSchema.string.pattern("^[^\\u0000]*$") { !$0.utf8.contains(0) }

    static let schema = JSONSchema.oneOf([
        .tagged("type", "stdio", [
            .property("command", JSONSchema.string.pattern("^/[^\\u0000]*$", matches: isAbsolutePath)
                .describe("An absolute path, exactly one of [mcp] stdio_commands (admins only)")),
            .property("args", JSONSchema.array(withoutNUL).maxItems(Input.maxArguments).orNull(), required: false),
            .property("env", secretMap("The child's whole environment"), required: false),
        ]),
        .object([
            .property("type", JSONSchema.string.oneOf(["http", "http_sse"]).describe("Streamable HTTP; http_sse is a synonym")),
            .property("url", JSONSchema.httpURL(allowingQuery: true).maxLength(Input.maxURLBytes).describe(
                "http(s) URL of the MCP endpoint. Loopback and private addresses are refused unless the operator allows "
                    + "them ([outbound] allow)")),
            .property("headers", secretMap("Extra request headers (e.g. Authorization)"), required: false),
        ]),
    ]).checked { value, path throws(HTTPError) in _ = try MCPTransportInput(parsing: value) }

    init() {}

    init(checked json: JSONValue) { self = (try? MCPTransportInput(parsing: json)) ?? MCPTransportInput() }

    var json: JSONValue { transport.json }

    private init(parsing value: JSONValue) throws(HTTPError) {
        let transport = try JSONFields(value, path: "transport")
        switch try transport.requiredString("type") {
        case "stdio":
            let command = try transport.requiredString("command")
            guard Self.isAbsolutePath(command), command.utf8.count <= Input.maxArgumentBytes else {
                throw .validation("transport.command", "must be an absolute path")
            }
            let arguments = try transport.stringArray("args") ?? []
            guard arguments.count <= Input.maxArguments else {
                throw .validation("transport.args", "must have at most \(Input.maxArguments) entries")
            }
            for (index, argument) in arguments.enumerated()
            where argument.utf8.count > Input.maxArgumentBytes || argument.utf8.contains(0) {
                throw .validation("transport.args[\(index)]", "must be at most \(Input.maxArgumentBytes) bytes without NUL")
            }
            self.transport = .stdio(command: command, arguments: arguments)
            secrets.environment = try Self.environment(transport)
        case "http", "http_sse":
            self.transport = .http(url: try Self.url(try transport.requiredString("url")))
            secrets.headers = try Self.headers(transport)
        default:
            throw .validation("transport.type", "must be \"stdio\" or \"http\"")
        }
    }

    private static func environment(_ transport: JSONFields) throws(HTTPError) -> [String: String] {
        guard let env = try transport.object("env") else { return [:] }
        guard env.members.count <= Input.maxVariables else {
            throw .validation("transport.env", "must have at most \(Input.maxVariables) entries")
        }
        var variables: [String: String] = [:]
        for (name, value) in env.members {
            let field = "transport.env.\(name.prefix(64))"
            guard let first = name.unicodeScalars.first, first == "_" || (first.isASCII && first.properties.isAlphabetic),
                  name.utf8.count <= 128,
                  name.unicodeScalars.allSatisfy({ $0 == "_" || ($0.isASCII && $0.properties.isAlphabetic) || ("0"..."9").contains($0) })
            else { throw .validation(field, "is not a variable name ([A-Za-z_][A-Za-z0-9_]*)") }
            guard case .string(let text) = value, text.utf8.count <= Input.maxValueBytes, !text.utf8.contains(0) else {
                throw .validation(field, "must be a string of at most \(Input.maxValueBytes) bytes without NUL")
            }
            variables[name] = text
        }
        return variables
    }

    private static func headers(_ transport: JSONFields) throws(HTTPError) -> [(name: String, value: String)] {
        guard let headers = try transport.object("headers") else { return [] }
        guard headers.members.count <= Input.maxHeaders else {
            throw .validation("transport.headers", "must have at most \(Input.maxHeaders) entries")
        }
        let tokenCharacters = Set("!#$%&'*+-.^_`|~".unicodeScalars)
        var list: [(name: String, value: String)] = []
        for (name, value) in headers.members.sorted(by: { $0.key < $1.key }) {
            let field = "transport.headers.\(name.prefix(64))"
            guard !name.isEmpty, name.utf8.count <= 256, name.unicodeScalars.allSatisfy({
                $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || tokenCharacters.contains($0))
            }) else { throw .validation(field, "is not a header name") }
            guard !hostHeaders.contains(name.lowercased()), !StreamableHTTPTransport.reservedHeaders.contains(name.lowercased())
            else { throw .validation(field, "is set by the server itself") }
            guard case .string(let text) = value, text.utf8.count <= Input.maxValueBytes,
                  text.unicodeScalars.allSatisfy({ $0 == "\t" || ($0.value >= 0x20 && $0.value != 0x7F) })
            else { throw .validation(field, "must be a string of at most \(Input.maxValueBytes) bytes without control characters") }
            list.append((name, text))
        }
        return list
    }

    /// What the host's outbound client sets itself (pattern_client_request).
    private static let hostHeaders: Set<String> = ["host", "content-length", "transfer-encoding", "connection", "upgrade",
                                                   "te", "keep-alive", "proxy-connection", "trailer"]

    /// An absolute http(s) URL with a host and no credentials or fragment (the published pattern).
    private static func url(_ text: String) throws(HTTPError) -> String {
        guard text.utf8.count <= Input.maxURLBytes, JSONSchema.isHTTPURL(text, allowingQuery: true)
        else { throw .validation("transport.url", "must be an http:// or https:// URL with a host, without user or fragment") }
        return text
    }
}
