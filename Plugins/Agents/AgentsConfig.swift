import PluginKit

/// The `[agents]` section of the config file.
struct AgentsConfig: Sendable, Decodable {
    /// Largest core memory block, in bytes of UTF-8 (beyond: 400).
    var maxMemoryBlockBytes: Int

    static let defaultMaxMemoryBlockBytes = 64 * 1024

    enum CodingKeys: String, CodingKey {
        case maxMemoryBlockBytes = "max_memory_block_bytes"
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        maxMemoryBlockBytes = try container.decodeIfPresent(Int.self, forKey: .maxMemoryBlockBytes)
            ?? Self.defaultMaxMemoryBlockBytes
    }

    struct Invalid: Error, CustomStringConvertible {
        let description: String
    }

    /// Reads and checks the section; a bad value refuses the start with one line naming the key.
    static func load(_ host: PluginHost) throws -> AgentsConfig {
        let config: AgentsConfig
        do {
            config = try host.config(AgentsConfig.self)
        } catch {
            throw Invalid(description: "agents.max_memory_block_bytes: expected an integer")
        }
        guard (1...(16 * 1024 * 1024)).contains(config.maxMemoryBlockBytes) else {
            throw Invalid(description: "agents.max_memory_block_bytes: expected an integer from 1 to 16777216, "
                          + "got \(config.maxMemoryBlockBytes)")
        }
        return config
    }
}
