import PluginKit

/// The body of `PATCH /agents/{id}`, declared once for its checks, decoding and schema.
/// Absent members stay nil (unchanged); `null` clears the optional text fields (`.some(nil)`).
struct AgentInput: JSONObject {
    static let knownTypes = ["generic", "pattern", "entropy", "flux", "archive", "momentum", "anchor"]
    static let maxMetadataBytes = 65_536

    var name: String?
    var agentType: String?
    var description: String??
    var systemPrompt: String??
    var modelProvider: String??
    var modelID: String??
    var tools: [String]?
    var metadata: JSONValue?
    var state: AgentState?

    static let fields: [JSONField<Self>] = [
        JSONField("name", \.name) { $0.length(1...128).printable().nonBlank() },
        JSONField("agent_type", \.agentType) { $0.length(1...64).describe(knownTypes.joined(separator: ", ") + ", or any custom type") },
        JSONField("description", \.description) { $0.maxLength(4096) },
        JSONField("system_prompt", \.systemPrompt) { $0.maxLength(65_536) },
        JSONField("model_provider", \.modelProvider) { $0.maxLength(128) },
        JSONField("model_id", \.modelID) { $0.maxLength(256) },
        JSONField("tools", \.tools) { $0.maxItems(256).items { $0.length(1...256) } },
        JSONField("metadata", \.metadata) { _ in JSONSchema.object.describe("At most \(maxMetadataBytes) bytes as JSON") },
        JSONField("state", \.state),
    ]

    /// What no schema keyword says: the metadata's size, and known types in their lower-case spelling.
    func normalized(at path: String) throws(HTTPError) -> AgentInput {
        if let metadata, metadata.jsonBytes.count > Self.maxMetadataBytes {
            throw .validation(JSONSchema.member("metadata", of: path), "must be at most \(Self.maxMetadataBytes) bytes of JSON")
        }
        var input = self
        if let type = agentType { input.agentType = Self.knownTypes.first { $0 == type.lowercased() } ?? type }
        return input
    }
}

/// The body of `POST /agents`: PATCH's fields with `name` and `agent_type` required and no
/// `state` (agents start ready).
struct AgentCreate: JSONObject {
    var input = AgentInput()

    static let fields: [JSONField<Self>] = AgentInput.fields.filter { $0.property.key != "state" }.map { field in
        field.lifted(\.input, required: ["name", "agent_type"].contains(field.property.key))
    }

    func normalized(at path: String) throws(HTTPError) -> AgentCreate {
        AgentCreate(input: try input.normalized(at: path))
    }
}
