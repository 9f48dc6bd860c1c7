import Testing
@testable import AuthCaches
import AuthTokens

/// The verified access tokens' bound: past `maxEntries` the cache is emptied rather than grown
/// (an evicted token is simply verified again).
@Suite struct VerifiedTokenCacheTests {
    @Test func pastMaxEntriesOldTokensAreEvicted() {
        let cache = VerifiedTokenCache()
        let claims = JWT.Claims(subject: "user_1", issuedAt: 0, expiresAt: 900, id: "jti", issuer: "iss", audience: ["aud"],
                                kind: .access, permissions: [], family: nil, session: "fam_1")
        for index in 0..<VerifiedTokenCache.maxEntries { cache.insert("token\(index)", claims) }
        #expect(cache.claims("token0") != nil)  // full, nothing evicted yet

        cache.insert("newest", claims)
        #expect(cache.claims("token0") == nil)
        #expect(cache.claims("newest") != nil)
    }
}
