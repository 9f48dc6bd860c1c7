import PluginKit

/// One of a user's model providers as stored, without its key. `json` is API.md's provider
/// response: the key is never part of it, not even partly.
struct Provider: JSONObject {
    var id = ""
    var ownerID = ""
    var kind = ProviderKind.openai
    var name = ""
    var baseURL = ""
    var orgID: String?
    var enabled = true
    var isDefault = false
    var validation = Validation()
    var createdAt = ""
    var updatedAt = ""

    /// What the last listing of the provider's models found.
    struct Validation: Sendable {
        var status = "error"
        var lastError: String?
        var availableModels: [AvailableModel] = []
        var lastValidated: String?
    }

    /// The connection as shown: without its key.
    struct Connection: JSONObject {
        var type = "api_key"
        var baseURL = ""
        var orgID: String?

        static let fields: [JSONField<Self>] = [
            JSONField("type", \.type, required: true) { $0.oneOf(["api_key"]) },
            JSONField("base_url", \.baseURL, required: true),
            JSONField("org_id", \.orgID, required: true) { $0.orNull() },
        ]
    }

    static let schemaName: String? = "Provider"
    static let fields: [JSONField<Self>] = [
        JSONField("id", \.id, required: true) { $0.describe("prov_…") },
        JSONField("provider", \.kind, required: true),
        JSONField("name", \.name, required: true),
        JSONField("owner_id", \.ownerID, required: true),
        JSONField("enabled", \.enabled, required: true),
        JSONField("is_default", \.isDefault, required: true),
        JSONField("status", \.validation.status, required: true) {
            $0.oneOf(["ok", "error"]).describe("ok: the last listing of the provider's models worked; error: see last_error")
        },
        JSONField("last_error", \.validation.lastError, required: true) {
            $0.orNull().describe("Why the last validation failed (never contains the key)")
        },
        JSONField("available_models", \.validation.availableModels, required: true),
        JSONField("last_validated", \.validation.lastValidated, required: true) { _ in JSONSchema.timestamp.orNull() },
        JSONField("config", \.connection, required: true) { $0.describe("The connection without its key: api_key is never returned") },
        JSONField("created_at", \.createdAt, required: true) { _ in .timestamp },
        JSONField("updated_at", \.updatedAt, required: true) { _ in .timestamp },
    ]

    var connection: Connection {
        get { Connection(baseURL: baseURL, orgID: orgID) }
        set {
            baseURL = newValue.baseURL
            orgID = newValue.orgID
        }
    }
}

/// `{id, name, context_length, input_cost_per_1k, output_cost_per_1k}` of a listed model.
struct AvailableModel: JSONObject, Equatable {
    var id = ""
    var name = ""
    var contextLength: Int?
    var inputCostPer1K: Double?
    var outputCostPer1K: Double?

    static let fields: [JSONField<Self>] = [
        JSONField("id", \.id, required: true) { $0.describe("The model name sent upstream") },
        JSONField("name", \.name, required: true),
        JSONField("context_length", \.contextLength, required: true) { $0.orNull().describe("Tokens, when the provider reports it") },
        JSONField("input_cost_per_1k", \.inputCostPer1K, required: true) { $0.orNull() },
        JSONField("output_cost_per_1k", \.outputCostPer1K, required: true) { $0.orNull() },
    ]

    init() {}

    init(id: String, name: String, contextLength: Int?, inputCostPer1K: Double?, outputCostPer1K: Double?) {
        self.id = id
        self.name = name
        self.contextLength = contextLength
        self.inputCostPer1K = inputCostPer1K
        self.outputCostPer1K = outputCostPer1K
    }

    /// Back from the stored JSON.
    init?(stored: JSONValue) {
        guard let id = stored["id"]?.stringValue else { return nil }
        self.init(id: id, name: stored["name"]?.stringValue ?? id, contextLength: stored["context_length"]?.intValue,
                  inputCostPer1K: stored["input_cost_per_1k"]?.doubleValue,
                  outputCostPer1K: stored["output_cost_per_1k"]?.doubleValue)
    }
}

extension JSONValue {
    /// An integer, also from an integral number.
    var intValue: Int? {
        switch self {
        case .integer(let value): Int(exactly: value)
        case .number(let value): value.isFinite && value.rounded() == value && abs(value) < 1e15 ? Int(value) : nil
        default: nil
        }
    }

    /// A number, also from its text (some providers price in strings).
    var doubleValue: Double? {
        switch self {
        case .integer(let value): Double(value)
        case .number(let value): value
        case .string(let text): Double(text)
        default: nil
        }
    }
}
