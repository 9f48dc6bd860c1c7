import Foundation
import PluginKit

/// `POST /mcp/servers` `{name, transport, description?, auto_reconnect?}` and `PATCH
/// /mcp/servers/{id}` `{name?, description?, auto_reconnect?, enabled?}`, checked for shape and
/// size, every problem naming its field. Who may register what (admins, the stdio allow-list)
/// is the routes' to judge.
struct MCPServerInput: Sendable {
    var name: String?
    /// nil: unchanged; .some(nil): cleared.
    var description: String??
    var transport: MCPServerRegistration.Transport?
    var secrets = MCPServerSecrets()
    var autoReconnect: Bool?
    var enabled: Bool?

    static let maxNameBytes = 64
    static let maxDescriptionBytes = 2048
    static let maxArguments = 64
    static let maxArgumentBytes = 4096
    static let maxVariables = 64
    static let maxHeaders = 32
    static let maxValueBytes = 8192
    static let maxURLBytes = 2048

    static func create(_ body: JSONValue) throws(HTTPError) -> MCPServerInput {
        let fields = try JSONFields(body)
        var input = try read(fields)
        guard input.name != nil else { throw .validation("name", "is required") }
        let transport = try fields.requiredObject("transport")
        switch try transport.requiredString("type") {
        case "stdio":
            let command = try transport.requiredString("command")
            guard command.hasPrefix("/"), command.utf8.count <= maxArgumentBytes, !command.utf8.contains(0) else {
                throw .validation("transport.command", "must be an absolute path")
            }
            let arguments = try transport.stringArray("args") ?? []
            guard arguments.count <= maxArguments else {
                throw .validation("transport.args", "must have at most \(maxArguments) entries")
            }
            for (index, argument) in arguments.enumerated()
            where argument.utf8.count > maxArgumentBytes || argument.utf8.contains(0) {
                throw .validation("transport.args[\(index)]", "must be at most \(maxArgumentBytes) bytes without NUL")
            }
            input.transport = .stdio(command: command, arguments: arguments)
            input.secrets.environment = try environment(transport)
        case "http", "http_sse":
            input.transport = .http(url: try url(try transport.requiredString("url")))
            input.secrets.headers = try headers(transport)
        default:
            throw .validation("transport.type", "must be \"stdio\" or \"http\"")
        }
        return input
    }

    static func update(_ body: JSONValue) throws(HTTPError) -> MCPServerInput {
        let fields = try JSONFields(body)
        for key in ["name", "auto_reconnect", "enabled"] where fields.has(key) && !fields.hasValue(key) {
            throw .validation(key, "must not be null")
        }
        if fields.has("transport") { throw .validation("transport", "cannot be changed: register the server again") }
        return try read(fields)
    }

    private static func read(_ fields: JSONFields) throws(HTTPError) -> MCPServerInput {
        var input = MCPServerInput()
        if let name = try fields.string("name") {
            guard (1...maxNameBytes).contains(name.utf8.count), name.unicodeScalars.allSatisfy(isNameCharacter) else {
                throw .validation("name", "must be 1 to \(maxNameBytes) characters of A-Z a-z 0-9 _ . -")
            }
            input.name = name
        }
        if fields.has("description") {
            let description = try fields.string("description")
            if let description, description.utf8.count > maxDescriptionBytes {
                throw .validation("description", "must be at most \(maxDescriptionBytes) bytes")
            }
            input.description = .some(description)
        }
        input.autoReconnect = try fields.bool("auto_reconnect")
        input.enabled = try fields.bool("enabled")
        return input
    }

    private static func isNameCharacter(_ scalar: Unicode.Scalar) -> Bool {
        scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || "_.-".unicodeScalars.contains(scalar))
    }

    private static func environment(_ transport: JSONFields) throws(HTTPError) -> [String: String] {
        guard let env = try transport.object("env") else { return [:] }
        guard env.members.count <= maxVariables else {
            throw .validation("transport.env", "must have at most \(maxVariables) entries")
        }
        var variables: [String: String] = [:]
        for (name, value) in env.members {
            let field = "transport.env.\(name.prefix(64))"
            guard let first = name.unicodeScalars.first, first == "_" || (first.isASCII && first.properties.isAlphabetic),
                  name.utf8.count <= 128,
                  name.unicodeScalars.allSatisfy({ $0 == "_" || ($0.isASCII && $0.properties.isAlphabetic) || ("0"..."9").contains($0) })
            else { throw .validation(field, "is not a variable name ([A-Za-z_][A-Za-z0-9_]*)") }
            guard case .string(let text) = value, text.utf8.count <= maxValueBytes, !text.utf8.contains(0) else {
                throw .validation(field, "must be a string of at most \(maxValueBytes) bytes without NUL")
            }
            variables[name] = text
        }
        return variables
    }

    private static func headers(_ transport: JSONFields) throws(HTTPError) -> [(name: String, value: String)] {
        guard let headers = try transport.object("headers") else { return [] }
        guard headers.members.count <= maxHeaders else {
            throw .validation("transport.headers", "must have at most \(maxHeaders) entries")
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
            guard case .string(let text) = value, text.utf8.count <= maxValueBytes,
                  text.unicodeScalars.allSatisfy({ $0 == "\t" || ($0.value >= 0x20 && $0.value != 0x7F) })
            else { throw .validation(field, "must be a string of at most \(maxValueBytes) bytes without control characters") }
            list.append((name, text))
        }
        return list
    }

    /// What the host's outbound client sets itself (pattern_client_request).
    private static let hostHeaders: Set<String> = ["host", "content-length", "transfer-encoding", "connection", "upgrade",
                                                   "te", "keep-alive", "proxy-connection", "trailer"]

    /// An absolute http(s) URL with a host and no credentials or fragment.
    private static func url(_ text: String) throws(HTTPError) -> String {
        guard text.utf8.count <= maxURLBytes, let components = URLComponents(string: text),
              let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https",
              let host = components.host, !host.isEmpty, components.user == nil, components.password == nil,
              components.fragment == nil
        else { throw .validation("transport.url", "must be an http:// or https:// URL with a host, without user or fragment") }
        return text
    }
}
