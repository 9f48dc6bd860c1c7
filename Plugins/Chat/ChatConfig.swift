import PluginKit

/// The `[chat]` section of the config file. Every key is checked at start: a bad value
/// refuses the start with one line naming the key and what it must be.
struct ChatConfig: Sendable, Equatable {
    /// The whole model call, retries included (handed to providers.v1 as `timeout_ms`).
    var modelTimeoutSeconds = 300
    /// The context window assumed when the provider's model list reports none.
    var contextTokens = 8192
    /// Turns that may wait behind an agent's running turn; beyond, a send answers 429.
    var maxQueuedPerAgent = 16
    /// Model calls in one turn (each tool round is one more).
    var maxSteps = 10
    /// How often the sleeptime groups are looked through for a due check.
    var sleeptimeSweepMilliseconds = 2000

    struct Invalid: Error, CustomStringConvertible {
        let description: String
    }

    // A computed list: key paths are not Sendable, so it cannot be a stored static.
    private static var keys: [(name: String, range: ClosedRange<Int64>, path: WritableKeyPath<ChatConfig, Int>)] { [
        ("model_timeout_seconds", 1...3600, \.modelTimeoutSeconds),
        ("context_tokens", 256...10_000_000, \.contextTokens),
        ("max_queued_per_agent", 0...1024, \.maxQueuedPerAgent),
        ("max_steps", 1...100, \.maxSteps),
        ("sleeptime_sweep_milliseconds", 50...600_000, \.sleeptimeSweepMilliseconds),
    ] }

    static func load(_ host: PluginHost) throws -> ChatConfig {
        try parse(JSONValue(parsing: host.configJSON) ?? [:])
    }

    static func parse(_ section: JSONValue) throws -> ChatConfig {
        var config = ChatConfig()
        for key in keys {
            guard let value = section[key.name] else { continue }
            let number: Int64? = switch value {
            case .integer(let integer): integer
            case .number(let double) where double.rounded() == double && abs(double) < 1e15: Int64(double)
            default: nil
            }
            guard let number, key.range.contains(number) else {
                throw Invalid(description: "chat.\(key.name): expected an integer from \(key.range.lowerBound) to "
                              + "\(key.range.upperBound), got \(value.jsonText)")
            }
            config[keyPath: key.path] = Int(number)
        }
        return config
    }
}
