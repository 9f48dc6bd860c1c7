import PluginKit

/// Tool names as model APIs take them: OpenAI and Anthropic accept only `[A-Za-z0-9_-]{1,64}`,
/// which `mcp:<server>/<tool>` is not. A name that does not fit goes to the provider under a
/// stable alias (its other characters as `_`, cut, then 8 hex digits of its FNV-1a hash) in the
/// tools offered and in the history's tool calls, and the model's calls are mapped back, so
/// stored messages and the agent's `tools` keep the names the user gave.
struct ProviderToolNames: Sendable {
    /// Alias → name, for the aliases this request used.
    private var names: [String: String] = [:]

    static func fits(_ name: String) -> Bool {
        (1...64).contains(name.utf8.count) && name.utf8.allSatisfy(isAllowed)
    }

    private static func isAllowed(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
    }

    static func alias(_ name: String) -> String {
        if fits(name) { return name }
        let readable = String(decoding: name.utf8.prefix(55).map { isAllowed($0) ? $0 : UInt8(ascii: "_") }, as: UTF8.self)
        let hash = name.utf8.reduce(UInt32(2_166_136_261)) { ($0 ^ UInt32($1)) &* 16_777_619 }
        let hex = String(hash, radix: 16)
        return readable + "_" + String(repeating: "0", count: 8 - hex.count) + hex
    }

    /// Rewrites a providers.v1 request's `tools[].name` and `messages[].tool_calls[].name`.
    mutating func encode(_ request: inout [String: JSONValue]) {
        if let tools = request["tools"]?.arrayValue {
            request["tools"] = .array(tools.map { renamed($0) })
        }
        if let messages = request["messages"]?.arrayValue {
            request["messages"] = .array(messages.map { message in
                guard case .object(var fields) = message, let calls = fields["tool_calls"]?.arrayValue else { return message }
                fields["tool_calls"] = .array(calls.map { renamed($0) })
                return .object(fields)
            })
        }
    }

    /// A call the model made, under the name the agent knows.
    func decode(_ call: ToolCall) -> ToolCall {
        var call = call
        call.name = names[call.name] ?? call.name
        return call
    }

    private mutating func renamed(_ entry: JSONValue) -> JSONValue {
        guard case .object(var fields) = entry, let name = fields["name"]?.stringValue, !Self.fits(name) else { return entry }
        let alias = Self.alias(name)
        names[alias] = name
        fields["name"] = .string(alias)
        return .object(fields)
    }
}
