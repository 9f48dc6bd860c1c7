import AuthTokens
import PatternSync

/// Access tokens already verified (MAC, header, claims), keyed by the exact token text, so a
/// client reusing its token (the normal case, for up to 15 minutes) costs a dictionary lookup
/// instead of an HMAC and two JSON parses. Only the time checks are repeated on a hit, since
/// everything else about the same bytes verifies the same way (the keys are fixed at start).
/// A different token never matches: lookups compare the whole text.
public final class VerifiedTokenCache: Sendable {
    static let maxEntries = 10_000
    private let entries = ReadWriteLocked<[String: JWT.Claims]>([:])

    public init() {}

    public func claims(_ token: String) -> JWT.Claims? { entries.read { $0[token] } }

    public func insert(_ token: String, _ claims: JWT.Claims) {
        entries.write { entries in
            if entries.count >= Self.maxEntries { entries.removeAll(keepingCapacity: true) }
            entries[token] = claims
        }
    }
}
