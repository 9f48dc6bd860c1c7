import PluginKit

/// The providers plugin: each user's model providers (OpenAI-compatible or Anthropic), their
/// keys sealed at rest, validated by listing their models, and the "providers.v1" service
/// that completes a conversation with one of them for other plugins (chat).
enum ProvidersPlugin: PatternPlugin {
    static let name = "providers"
    static let version = "1.0.0"
    static let summary = "Model providers: per-user OpenAI-compatible and Anthropic endpoints, sealed keys, completions"
    static let requires = ["auth"]

    static func setUp(_ host: PluginHost) throws {
        guard let client = host.client else {
            throw OlderHost()
        }
        try ProvidersSchema.register(host)
        let store = ProviderStore(database: host.database)
        let keys = ProviderKeys(secrets: try host.secrets, store: store)
        try keys.registerRotation()
        let catalog = ModelCatalog(client: client)
        try ProviderRoutes(store: store, keys: keys, catalog: catalog).register(host)
        try ProvidersService.provide(host, completions: CompletionService(host: host, client: client, store: store,
                                                                            keys: keys))
        host.reportHealth(.ok)
    }
}

/// The host has no outbound client: providers cannot be called.
struct OlderHost: Error, CustomStringConvertible {
    var description: String { "providers: needs a host with the outbound HTTP client (plugin ABI 1.4)" }
}

@c(pattern_plugin_entry_v1)
public func patternPluginEntry() -> UnsafeRawPointer { PluginExport.descriptor(for: ProvidersPlugin.self) }
