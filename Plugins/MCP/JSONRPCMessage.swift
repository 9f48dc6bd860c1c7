import PluginKit

/// One JSON-RPC 2.0 message as MCP exchanges it (one object, never a batch; an `id` is a
/// string or an integer, never null). Both sides of the plugin speak it: the client to users'
/// MCP servers, the /mcp endpoint to MCP clients.
enum JSONRPCMessage: Equatable, Sendable {
    case request(id: JSONRPCID, method: String, params: JSONValue?)
    case notification(method: String, params: JSONValue?)
    case result(id: JSONRPCID, JSONValue)
    case error(id: JSONRPCID?, JSONRPCError)

    /// Parses one message; nil names what is wrong (for a -32600/-32700 answer or the log).
    static func parse(_ bytes: [UInt8]) -> Result<JSONRPCMessage, JSONRPCError> {
        guard let value = JSONValue(parsing: bytes) else { return .failure(.parse) }
        return parse(value)
    }

    static func parse(_ value: JSONValue) -> Result<JSONRPCMessage, JSONRPCError> {
        if case .array = value { return .failure(.invalidRequest("batches are not supported")) }
        guard case .object(let object) = value, object["jsonrpc"] == "2.0" else {
            return .failure(.invalidRequest("not a JSON-RPC 2.0 object"))
        }
        let id: JSONRPCID?
        switch object["id"] {
        case nil: id = nil
        case .some(let raw):
            guard let parsed = JSONRPCID(raw) else { return .failure(.invalidRequest("id must be a string or an integer")) }
            id = parsed
        }
        if let method = object["method"] {
            guard case .string(let name) = method else { return .failure(.invalidRequest("method must be a string")) }
            let params = object["params"]
            if let params, params.objectValue == nil { return .failure(.invalidRequest("params must be an object")) }
            guard let id else { return .success(.notification(method: name, params: params)) }
            return .success(.request(id: id, method: name, params: params))
        }
        if let result = object["result"], let id { return .success(.result(id: id, result)) }
        if case .object(let error)? = object["error"], case .integer(let code)? = error["code"] {
            let message = error["message"]?.stringValue ?? ""
            return .success(.error(id: id, JSONRPCError(code: Int(code), message: message, data: error["data"])))
        }
        return .failure(.invalidRequest("neither a request, a notification nor a response"))
    }

    var json: JSONValue {
        switch self {
        case .request(let id, let method, let params):
            var object: [String: JSONValue] = ["jsonrpc": "2.0", "id": id.json, "method": .string(method)]
            object["params"] = params
            return .object(object)
        case .notification(let method, let params):
            var object: [String: JSONValue] = ["jsonrpc": "2.0", "method": .string(method)]
            object["params"] = params
            return .object(object)
        case .result(let id, let result):
            return ["jsonrpc": "2.0", "id": id.json, "result": result]
        case .error(let id, let error):
            return ["jsonrpc": "2.0", "id": id?.json ?? .null, "error": error.json]
        }
    }

    /// Compact UTF-8 JSON: one line, as stdio framing needs.
    var bytes: [UInt8] { json.jsonBytes }
}

/// A request id: a string or an integer.
enum JSONRPCID: Hashable, Sendable {
    case number(Int64)
    case string(String)

    init?(_ value: JSONValue) {
        switch value {
        case .integer(let number): self = .number(number)
        case .string(let text): self = .string(text)
        default: return nil
        }
    }

    var json: JSONValue {
        switch self {
        case .number(let number): .integer(number)
        case .string(let text): .string(text)
        }
    }
}

/// A JSON-RPC error object, with the codes MCP uses. Never -32020…-32022: modern clients read
/// those as "a stateless server" and would not fall back to the handshake.
struct JSONRPCError: Error, Equatable, Sendable {
    var code: Int
    var message: String
    var data: JSONValue?

    static let parse = JSONRPCError(code: -32700, message: "Parse error: not JSON")
    static func invalidRequest(_ why: String) -> JSONRPCError { JSONRPCError(code: -32600, message: "Invalid request: \(why)") }
    static func methodNotFound(_ method: String) -> JSONRPCError { JSONRPCError(code: -32601, message: "Method not found: \(method)") }
    static func invalidParams(_ why: String) -> JSONRPCError { JSONRPCError(code: -32602, message: "Invalid params: \(why)") }
    static func internalError(_ why: String) -> JSONRPCError { JSONRPCError(code: -32603, message: "Internal error: \(why)") }

    var json: JSONValue {
        var object: [String: JSONValue] = ["code": .integer(Int64(code)), "message": .string(message)]
        object["data"] = data
        return .object(object)
    }
}
