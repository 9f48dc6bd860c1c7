import PluginABI
import PluginKit

/// How a completion ends for its caller: the result, or one of API.md's error types with a
/// message that never holds a key. The status beside the JSON is a coarse hint; the JSON's
/// `type` is what callers act on.
enum CompletionOutcome: Error, Sendable {
    case success(JSONValue)
    /// The provider refused the credentials or the request (4xx but 429): 502.
    case providerError(String)
    /// Unreachable, refused by the outbound policy, or 429/529/5xx after retries: 503.
    case unavailable(String)
    /// No whole answer within the call's time: 504.
    case timeout(String)
    /// The owner has no usable provider for the request: 409.
    case conflict(String)
    case cancelled

    var status: pattern_status {
        switch self {
        case .success: PATTERN_OK
        case .providerError: PATTERN_INVALID
        case .unavailable, .timeout: PATTERN_BUSY
        case .conflict: PATTERN_NOT_FOUND
        case .cancelled: PATTERN_STATE
        }
    }

    /// `type: message` of a failure worth logging (not a success or a caller's cancel).
    var problem: String? {
        switch self {
        case .success, .cancelled: nil
        default: "\(json["type"]?.stringValue ?? ""): \(json["message"]?.stringValue ?? "")"
        }
    }

    var json: JSONValue {
        switch self {
        case .success(let result): result
        case .providerError(let message): ["type": "provider_error", "message": .string(message)]
        case .unavailable(let message): ["type": "service_unavailable", "message": .string(message)]
        case .timeout(let message): ["type": "provider_timeout", "message": .string(message)]
        case .conflict(let message): ["type": "conflict", "message": .string(message)]
        case .cancelled: ["type": "service_unavailable", "message": "cancelled"]
        }
    }
}
