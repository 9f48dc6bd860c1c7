import PluginKit

/// The secret part of a registration: a stdio server's environment, an HTTP server's extra
/// headers. Sealed as one JSON object by the host's secrets service, bound to the row
/// ("mcp:<id>:secrets"), re-sealed when `pattern-server secrets rotate-key` runs. Opened only
/// to connect; never returned or logged, names included.
struct MCPServerSecrets: Sendable {
    var environment: [String: String] = [:]
    var headers: [(name: String, value: String)] = []

    var json: JSONValue {
        ["env": .object(environment.mapValues { .string($0) }),
         "headers": .array(headers.map { ["name": .string($0.name), "value": .string($0.value)] })]
    }

    init(environment: [String: String] = [:], headers: [(name: String, value: String)] = []) {
        self.environment = environment
        self.headers = headers
    }

    init(json: JSONValue) {
        environment = (json["env"]?.objectValue ?? [:]).compactMapValues(\.stringValue)
        headers = (json["headers"]?.arrayValue ?? []).compactMap { entry in
            guard let name = entry["name"]?.stringValue, let value = entry["value"]?.stringValue else { return nil }
            return (name, value)
        }
    }
}
