import Foundation
import PatternCrypto

/// Opaque resource ids of API.md: a type prefix and a time-ordered random part,
/// `user_01jd8x…` (the layout is `ResourceIDText`'s, shared with the host's `core.new_id`).
public enum ResourceID {
    /// A new id such as `user_01jd8x3k…`; `prefix` is given without the underscore.
    public static func make(_ prefix: String, now: Date = Date()) -> String {
        ResourceIDText.make(prefix: prefix, milliseconds: UInt64(max(0, now.timeIntervalSince1970 * 1000)))
    }

    /// True for `prefix_` followed by 26 characters of the alphabet.
    public static func isValid(_ id: String, prefix: String) -> Bool {
        let bytes = Array(id.utf8)
        let head = Array((prefix + "_").utf8)
        guard bytes.count == head.count + ResourceIDText.suffixLength, bytes.starts(with: head) else { return false }
        return bytes[head.count...].allSatisfy { ResourceIDText.alphabet.contains($0) }
    }

    /// A string that must be an id of `prefix` (`agent` → `agent_` and 26 characters), its
    /// pattern published and checked by `isValid`.
    public static func schema(prefix: String) -> JSONSchema {
        let alphabet = String(decoding: ResourceIDText.alphabet, as: UTF8.self)
        return JSONSchema.string.pattern("^\(prefix)_[\(alphabet)]{\(ResourceIDText.suffixLength)}$") {
            isValid($0, prefix: prefix)
        }
    }
}
