import Foundation
import PluginKit

/// A provider's error body as a short message for our clients and log: its own message when it
/// sent one (OpenAI `{"error": {"message"}}`, Anthropic `{"type": "error", "error": {"message"}}`),
/// with every trace of the key removed — providers like to quote the key they refused
/// ("Incorrect API key provided: sk-ab***yz").
enum ProviderErrorText {
    static let maxLength = 300

    static func message(status: Int, body: [UInt8], apiKey: String) -> String {
        let json = JSONValue(parsing: body)
        let quoted = json?["error"]?["message"]?.stringValue ?? json?["error"]?.stringValue
            ?? json?["message"]?.stringValue ?? json?["detail"]?.stringValue
        let what = switch status {
        case 401, 403: "the provider refused the credentials (HTTP \(status))"
        case 429: "the provider is rate limiting (HTTP 429)"
        case 529: "the provider is overloaded (HTTP 529)"
        case 500...599: "the provider failed (HTTP \(status))"
        default: "the provider refused the request (HTTP \(status))"
        }
        guard let quoted, !quoted.isEmpty else { return what }
        return "\(what): \(scrub(quoted, apiKey: apiKey))"
    }

    /// `text` without the key, anything looking like a masked key, control characters, and
    /// beyond `maxLength` characters.
    static func scrub(_ text: String, apiKey: String) -> String {
        var cleaned = apiKey.isEmpty ? text : text.replacingOccurrences(of: apiKey, with: "[redacted]")
        let prefix = apiKey.count >= 8 ? String(apiKey.prefix(6)) : nil
        let suffix = apiKey.count >= 8 ? String(apiKey.suffix(4)) : nil
        let words = cleaned.split(separator: " ", omittingEmptySubsequences: false).map { word -> String in
            let looksMasked = word.contains("***") || word.contains("…")
            let sharesKey = (prefix.map { word.contains($0) } ?? false) || (suffix.map { word.count >= 8 && word.contains($0) } ?? false)
            return looksMasked || sharesKey ? "[redacted]" : String(word)
        }
        cleaned = words.joined(separator: " ")
        cleaned = String(cleaned.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? " " : Character($0) })
        return cleaned.count > maxLength ? String(cleaned.prefix(maxLength)) + "…" : cleaned
    }
}
