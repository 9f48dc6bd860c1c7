import PluginKit

/// The two wire formats a provider speaks: OpenAI-compatible Chat Completions (OpenAI,
/// llama.cpp, vLLM, Ollama, OpenRouter, Groq …) and Anthropic Messages.
enum ProviderKind: String, CaseIterable, SchemaValue {
    case openai
    case anthropic

    var defaultBaseURL: String {
        switch self {
        case .openai: "https://api.openai.com/v1"
        case .anthropic: "https://api.anthropic.com/v1"
        }
    }

    /// The headers that carry the key (none when the key is empty: local servers need none).
    func authorization(apiKey: String, orgID: String?) -> [(name: String, value: String)] {
        switch self {
        case .openai:
            var headers: [(name: String, value: String)] = []
            if !apiKey.isEmpty { headers.append(("Authorization", "Bearer \(apiKey)")) }
            if let orgID, !orgID.isEmpty { headers.append(("OpenAI-Organization", orgID)) }
            return headers
        case .anthropic:
            var headers: [(name: String, value: String)] = [("anthropic-version", "2023-06-01")]
            if !apiKey.isEmpty { headers.append(("x-api-key", apiKey)) }
            return headers
        }
    }

    /// `{base_url}/path` without a doubled slash.
    static func url(_ baseURL: String, _ path: String) -> String {
        (baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL) + path
    }
}
