import PluginKit

/// The fields of `POST /agents` and `PATCH /agents/{id}`, validated. Every problem is a
/// `validation_error` naming the field.
struct AgentInput: Sendable {
    static let knownTypes = ["generic", "pattern", "entropy", "flux", "archive", "momentum", "anchor"]
    static let maxNameCharacters = 128
    static let maxTools = 256

    /// nil: leave unchanged (PATCH) ; for optional text fields `.some(nil)` clears the value.
    var name: String?
    var agentType: String?
    var description: String??
    var systemPrompt: String??
    var modelProvider: String??
    var modelID: String??
    var tools: [String]?
    var metadata: JSONValue?
    var state: AgentState?

    /// A create body: `name` and `agent_type` are required; `state` is not accepted (agents start ready).
    static func create(_ body: JSONValue) throws(HTTPError) -> AgentInput {
        let fields = try JSONFields(body)
        var input = try read(fields)
        if input.name == nil { _ = try fields.requiredString("name") }
        if input.agentType == nil { _ = try fields.requiredString("agent_type") }
        input.state = nil
        return input
    }

    /// A PATCH body: any field of create, plus `state`. `null` clears the optional text fields.
    static func update(_ body: JSONValue) throws(HTTPError) -> AgentInput {
        let fields = try JSONFields(body)
        for key in ["name", "agent_type", "tools", "metadata", "state"] where fields.has(key) && !fields.hasValue(key) {
            throw .validation(key, "must not be null")
        }
        return try read(fields)
    }

    private static func read(_ fields: JSONFields) throws(HTTPError) -> AgentInput {
        var input = AgentInput()
        if let name = try fields.string("name") {
            guard !name.allSatisfy(\.isWhitespace) else { throw .validation("name", "must not be empty") }
            guard name.count <= maxNameCharacters else {
                throw .validation("name", "must be at most \(maxNameCharacters) characters")
            }
            guard !name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
                throw .validation("name", "must not contain control characters")
            }
            input.name = name
        }
        if let type = try fields.string("agent_type") {
            guard !type.isEmpty, type.count <= 64 else { throw .validation("agent_type", "must be 1 to 64 characters") }
            let known = knownTypes.first { $0 == type.lowercased() }
            input.agentType = known ?? type
        }
        input.description = try optionalText(fields, "description", maxBytes: 4096)
        input.systemPrompt = try optionalText(fields, "system_prompt", maxBytes: 65_536)
        input.modelProvider = try optionalText(fields, "model_provider", maxBytes: 128)
        input.modelID = try optionalText(fields, "model_id", maxBytes: 256)
        if let tools = try fields.stringArray("tools") {
            guard tools.count <= maxTools else { throw .validation("tools", "must have at most \(maxTools) entries") }
            for (index, tool) in tools.enumerated() where tool.isEmpty || tool.utf8.count > 256 {
                throw .validation("tools[\(index)]", "must be 1 to 256 bytes")
            }
            input.tools = tools
        }
        if let metadata = fields.value("metadata") {
            guard case .object = metadata else { throw .validation("metadata", "must be an object") }
            guard metadata.jsonText.utf8.count <= 65_536 else {
                throw .validation("metadata", "must be at most 65536 bytes of JSON")
            }
            input.metadata = metadata
        }
        if let state = fields.value("state") {
            input.state = try AgentState(state, field: "state")
        }
        return input
    }

    /// Absent → nil (unchanged); `null` → `.some(nil)` (cleared); a string → `.some(text)`.
    private static func optionalText(_ fields: JSONFields, _ key: String, maxBytes: Int) throws(HTTPError) -> String?? {
        guard fields.has(key) else { return nil }
        guard let text = try fields.string(key) else { return .some(nil) }
        guard text.utf8.count <= maxBytes else { throw .validation(key, "must be at most \(maxBytes) bytes") }
        return .some(text)
    }
}
