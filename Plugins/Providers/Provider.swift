import PluginKit

/// One of a user's model providers as stored, without its key. `json` is API.md's provider
/// response: the key is never part of it, not even partly.
struct Provider: Sendable {
    var id: String
    var ownerID: String
    var kind: ProviderKind
    var name: String
    var baseURL: String
    var orgID: String?
    var enabled: Bool
    var isDefault: Bool
    var validation: Validation
    var createdAt: String
    var updatedAt: String

    /// What the last listing of the provider's models found.
    struct Validation: Sendable {
        var status: String
        var lastError: String?
        var availableModels: [AvailableModel]
        var lastValidated: String?
    }

    var json: JSONValue {
        var config: [String: JSONValue] = ["type": "api_key", "base_url": .string(baseURL)]
        config["org_id"] = orgID.map { .string($0) } ?? .null
        return [
            "id": .string(id), "provider": .string(kind.rawValue), "name": .string(name), "owner_id": .string(ownerID),
            "enabled": .bool(enabled), "is_default": .bool(isDefault), "status": .string(validation.status),
            "last_error": validation.lastError.map { .string($0) } ?? .null,
            "available_models": .array(validation.availableModels.map(\.json)),
            "last_validated": validation.lastValidated.map { .string($0) } ?? .null,
            "config": .object(config), "created_at": .string(createdAt), "updated_at": .string(updatedAt),
        ]
    }
}

/// `{id, name, context_length, input_cost_per_1k, output_cost_per_1k}` of a listed model.
struct AvailableModel: Sendable, Equatable {
    var id: String
    var name: String
    var contextLength: Int?
    var inputCostPer1K: Double?
    var outputCostPer1K: Double?

    var json: JSONValue {
        [
            "id": .string(id), "name": .string(name),
            "context_length": contextLength.map { .integer(Int64($0)) } ?? .null,
            "input_cost_per_1k": inputCostPer1K.map { .number($0) } ?? .null,
            "output_cost_per_1k": outputCostPer1K.map { .number($0) } ?? .null,
        ]
    }

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
