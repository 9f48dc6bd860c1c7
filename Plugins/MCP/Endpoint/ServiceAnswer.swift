import PluginKit

/// JSON text another plugin's service answered, kept as text: a tool hands it to the client
/// as it came (the provider serialized it with PluginKit), so /mcp neither parses nor writes
/// again a page of agents it only passes on; `value` parses it where a tool looks inside.
struct ServiceAnswer: Sendable {
    let bytes: [UInt8]

    init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    init(_ value: JSONValue) {
        bytes = value.jsonBytes
    }

    var value: JSONValue? { JSONValue(parsing: bytes) }

    /// An object of these members, in this order.
    static func object(_ members: KeyValuePairs<String, ServiceAnswer>) -> ServiceAnswer {
        var out: [UInt8] = [UInt8(ascii: "{")]
        for (index, member) in members.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            out += JSONValue.string(member.key).jsonBytes
            out.append(UInt8(ascii: ":"))
            out += member.value.bytes
        }
        out.append(UInt8(ascii: "}"))
        return ServiceAnswer(bytes: out)
    }
}
