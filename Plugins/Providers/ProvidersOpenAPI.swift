import PluginKit

/// OpenAPI operations of the providers plugin's routes, with their request and response schemas.
enum ProvidersOpenAPI {
    private typealias API = OpenAPIOperation

    private static let kind = API.string("The wire format: any OpenAI-compatible Chat Completions server, or Anthropic Messages",
                                         enumeration: ProviderKind.allCases.map(\.rawValue))

    static let availableModel = API.object([
        "id": API.string("The model name sent upstream"), "name": API.string(),
        "context_length": ["type": ["integer", "null"], "description": "Tokens, when the provider reports it"],
        "input_cost_per_1k": ["type": ["number", "null"]], "output_cost_per_1k": ["type": ["number", "null"]],
    ], required: ["id", "name", "context_length", "input_cost_per_1k", "output_cost_per_1k"])

    static let provider = API.object([
        "id": API.string("prov_…"), "provider": kind, "name": API.string(), "owner_id": API.string(),
        "enabled": API.boolean, "is_default": API.boolean,
        "status": API.string("ok: the last listing of the provider's models worked; error: see last_error",
                             enumeration: ["ok", "error"]),
        "last_error": ["type": ["string", "null"], "description": "Why the last validation failed (never contains the key)"],
        "available_models": API.array(availableModel), "last_validated": API.nullableTimestamp,
        "config": API.object(["type": ["const": "api_key"], "base_url": API.string(), "org_id": ["type": ["string", "null"]]],
                             required: ["type", "base_url", "org_id"],
                             description: "The connection without its key: api_key is never returned"),
        "created_at": API.timestamp, "updated_at": API.timestamp,
    ], required: ["id", "provider", "name", "owner_id", "enabled", "is_default", "status", "last_error",
                  "available_models", "last_validated", "config", "created_at", "updated_at"])

    private static let key: JSONValue = [
        "type": "string", "maxLength": .integer(Int64(ProviderInput.maxKeyBytes)),
        "description": "Printable ASCII; \"\" sends no key (local servers). Stored sealed (AES-256-GCM), never returned",
    ]
    private static let baseURL: JSONValue = [
        "type": ["string", "null"], "maxLength": .integer(Int64(ProviderInput.maxURLBytes)),
        "description": .string("http(s) URL; default https://api.openai.com/v1 or https://api.anthropic.com/v1. Loopback "
            + "and private addresses are refused unless the operator allows them ([outbound] allow)"),
    ]
    private static func config(keyRequired: Bool) -> JSONValue {
        API.object(["type": ["const": "api_key"], "api_key": key, "base_url": baseURL, "org_id": ["type": ["string", "null"]]],
                   required: keyRequired ? ["api_key"] : [])
    }
    private static let name: JSONValue = ["type": "string", "minLength": 1, "maxLength": 128]
    private static let validated = "The server lists the provider's models (GET {base_url}/models) before answering: "
        + "status ok with available_models, or status error with last_error."
    private static let idErrors = [400, 401, 403, 404]

    static let create = API.make(
        summary: "Add a model provider",
        description: validated + " The first provider of a kind becomes the default of that kind unless set_as_default "
            + "is false; set_as_default true makes it the only default. At most \(ProviderStore.maxPerOwner) per user (409).",
        requestBody: API.object(["provider": kind, "name": name, "config": config(keyRequired: true),
                                 "set_as_default": API.boolean], required: ["provider", "config"]),
        responses: [201: ("The new provider", provider)], errors: [400, 401, 403, 409, 415])

    static let list = API.make(
        summary: "List the caller's model providers",
        description: "is_active filters on enabled.",
        parameters: API.pageParameters(sortFields: ProviderStore.sortFields),
        responses: [200: ("One page of providers", API.page(of: provider))], errors: [400, 401])

    static let get = API.make(summary: "Get a model provider", responses: [200: ("The provider", provider)],
                              errors: [401, 404])

    static let update = API.make(
        summary: "Update a model provider",
        description: "A config is merged into the stored one (a missing api_key keeps the stored key) and validated "
            + "again: " + validated + " set_as_default true makes it the only default of its kind; false leaves "
            + "the kind without a default until another is set.",
        requestBody: API.object(["name": name, "config": config(keyRequired: false), "enabled": API.boolean,
                                 "set_as_default": API.boolean]),
        responses: [200: ("The updated provider", provider)], errors: idErrors + [409, 415])

    static let delete = API.make(
        summary: "Delete a model provider",
        description: "Deleting the default of a kind makes the oldest remaining provider of that kind the default.",
        responses: [204: ("Deleted", nil)], errors: idErrors)
}
