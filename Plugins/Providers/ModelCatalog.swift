import Foundation
import PluginKit

/// Validates a provider by listing its models (`GET {base_url}/models`) through the host's
/// outbound client, which applies the SSRF policy. Waits on no thread: `list` reports on a
/// worker thread when the answer is in.
struct ModelCatalog: Sendable {
    let client: HTTPClient

    /// Time for the whole listing.
    static let timeoutMilliseconds: UInt32 = 15_000
    /// The most models kept from one listing.
    static let maxModels = 1000

    struct Target: Sendable {
        var kind: ProviderKind
        var baseURL: String
        var apiKey: String
        var orgID: String?
    }

    func list(_ target: Target, _ done: @escaping @Sendable (Provider.Validation) -> Void) {
        var request = HTTPClient.Request(method: "GET", url: ProviderKind.url(target.baseURL, "/models"),
                                         headers: target.kind.authorization(apiKey: target.apiKey, orgID: target.orgID)
                                             + [("Accept", "application/json")])
        request.totalTimeout = Self.timeoutMilliseconds
        request.maxResponseBytes = 8 * 1024 * 1024
        client.send(request) { result in
            let now = Timestamp.rfc3339(Date())
            switch result {
            case .failure(let failure):
                done(.init(status: "error", lastError: Self.describe(failure, apiKey: target.apiKey), availableModels: [],
                           lastValidated: now))
            case .success(let response) where !(200..<300).contains(response.status):
                done(.init(status: "error",
                           lastError: ProviderErrorText.message(status: response.status, body: response.body,
                                                                apiKey: target.apiKey),
                           availableModels: [], lastValidated: now))
            case .success(let response):
                if let models = Self.models(in: response.body) {
                    done(.init(status: "ok", lastError: nil, availableModels: models, lastValidated: now))
                } else {
                    done(.init(status: "error", lastError: "the provider's model list is not the JSON expected",
                               availableModels: [], lastValidated: now))
                }
            }
        }
    }

    /// A failed connection in words; a refusal by the outbound policy says so.
    static func describe(_ failure: HTTPClient.Failure, apiKey: String) -> String {
        let detail = ProviderErrorText.scrub(failure.message, apiKey: apiKey)
        return switch failure.outcome {
        case .refused: "refused by the server's outbound policy: \(detail)"
        case .timeout: "the provider did not answer in time: \(detail)"
        case .dns: "the provider's host name does not resolve: \(detail)"
        case .connect: "cannot connect to the provider: \(detail)"
        case .tls: "TLS with the provider failed: \(detail)"
        case .tooLarge: "the provider's answer is too large"
        default: "the provider could not be reached: \(detail)"
        }
    }

    /// OpenAI `{"data": [{"id", ...}]}` (llama.cpp adds `meta.n_ctx_train`, OpenRouter
    /// `context_length` and `pricing` per token), Anthropic `{"data": [{"id", "display_name",
    /// "max_input_tokens"}]}`,
    /// Ollama-style `{"models": [...]}`.
    static func models(in body: [UInt8]) -> [AvailableModel]? {
        guard let json = JSONValue(parsing: body), let list = json["data"]?.arrayValue ?? json["models"]?.arrayValue
        else { return nil }
        return list.prefix(maxModels).compactMap { entry in
            guard let id = entry["id"]?.stringValue ?? entry["name"]?.stringValue ?? entry["model"]?.stringValue
            else { return nil }
            let name = entry["display_name"]?.stringValue ?? entry["name"]?.stringValue ?? id
            let context = entry["context_length"]?.intValue ?? entry["max_input_tokens"]?.intValue
                ?? entry["context_window"]?.intValue
                ?? entry["max_context_length"]?.intValue ?? entry["max_model_len"]?.intValue
                ?? entry["top_provider"]?["context_length"]?.intValue ?? entry["meta"]?["n_ctx_train"]?.intValue
                ?? entry["meta"]?["n_ctx"]?.intValue
            let perToken = { (key: String) in entry["pricing"]?[key]?.doubleValue.map { $0 * 1000 } }
            return AvailableModel(id: id, name: name, contextLength: context.flatMap { $0 > 0 ? $0 : nil },
                                  inputCostPer1K: entry["input_cost_per_1k"]?.doubleValue ?? perToken("prompt"),
                                  outputCostPer1K: entry["output_cost_per_1k"]?.doubleValue ?? perToken("completion"))
        }
    }
}
