import PluginKit

/// `PATCH /providers/{id}` `{name?, config?, enabled?, set_as_default?}`. Its config keeps
/// what it leaves out (the stored key when `api_key` is absent; `base_url: null` restores the
/// kind's default).
struct ProviderInput: JSONObject {
    var name: String?
    var config: ConfigInput?
    var enabled: Bool?
    var setAsDefault: Bool?

    static let fields: [JSONField<Self>] = [
        JSONField("name", \.name) { $0.length(1...128).nonBlank() },
        JSONField("config", \.config),
        JSONField("enabled", \.enabled),
        JSONField("set_as_default", \.setAsDefault),
    ]
}

/// `POST /providers` `{provider, name?, config, set_as_default?}`: the config's `api_key` is
/// required ("" sends none).
struct ProviderCreate: JSONObject {
    var kind = ProviderKind.openai
    var input = ProviderInput()

    static let fields: [JSONField<Self>] = [
        JSONField("provider", \.kind, required: true) {
            $0.describe("The wire format: any OpenAI-compatible Chat Completions server, or Anthropic Messages")
        },
    ] + ProviderInput.fields.filter { $0.property.key != "enabled" }.map { field in
        field.property.key == "config"
            ? JSONField("config", \.input.config, required: true) { _ in ConfigInput.withKey } : field.lifted(\.input)
    }
}

/// A provider's connection: `{type?: "api_key", api_key?, base_url?, org_id?}`.
struct ConfigInput: JSONObject {
    static let maxKeyBytes = 4096
    static let maxURLBytes = 2048
    /// Printable ASCII without spaces.
    private static let token = JSONSchema.string.pattern("^[!-~]*$") { $0.unicodeScalars.allSatisfy { $0.value > 0x20 && $0.value < 0x7F } }

    var type = "api_key"
    var apiKey: String?
    /// nil: unchanged; .some(nil): the kind's default.
    var baseURL: String??
    var orgID: String??

    static let fields: [JSONField<Self>] = [
        JSONField("type", \.type) { $0.oneOf(["api_key"]) },
        JSONField("api_key", \.apiKey) { _ in
            token.maxLength(maxKeyBytes).describe("\"\" sends no key (local servers). Stored sealed (AES-256-GCM), never returned")
        },
        JSONField("base_url", \.baseURL) { _ in
            JSONSchema.httpURL(allowingQuery: false).maxLength(maxURLBytes).orNull()
                .describe("http(s) URL; default https://api.openai.com/v1 or https://api.anthropic.com/v1. Loopback "
                    + "and private addresses are refused unless the operator allows them ([outbound] allow)")
        },
        JSONField("org_id", \.orgID) { _ in token.maxLength(256).orNull() },
    ]

    /// The config of a create, whose key is required.
    static let withKey = JSONSchema.object(fields.map { $0.required($0.property.key == "api_key").property })

    /// `org_id` with "" meaning none.
    var organization: String?? { orgID.map { $0?.isEmpty == true ? nil : $0 } }
}
