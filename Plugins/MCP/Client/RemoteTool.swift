import PluginKit

/// A tool a server listed: `{name, description, input_schema}` in API.md's `available_tools`.
struct RemoteTool: Sendable, Equatable {
    var name: String
    var description: String?
    var inputSchema: JSONValue

    /// The longest tool name kept (the spec asks servers for 1 to 128 characters).
    static let maxNameBytes = 128

    var json: JSONValue {
        ["name": .string(name), "description": description.map { .string($0) } ?? .null, "input_schema": inputSchema]
    }

    /// From one entry of a tools/list result; nil for an entry without a usable name. A missing
    /// or non-object inputSchema becomes the empty object schema, as the spec requires one.
    init?(listed: JSONValue) {
        guard let name = listed["name"]?.stringValue, !name.isEmpty, name.utf8.count <= Self.maxNameBytes else { return nil }
        self.name = name
        description = listed["description"]?.stringValue ?? listed["title"]?.stringValue
        if case .object? = listed["inputSchema"] {
            inputSchema = listed["inputSchema"] ?? [:]
        } else {
            inputSchema = ["type": "object"]
        }
    }
}
