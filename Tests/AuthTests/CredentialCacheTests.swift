import Testing
@testable import AuthCaches

/// The login and API-key caches' bound: past `maxEntries` the cache is emptied rather than
/// grown, and an evicted credential is read again (and still authenticates), never refused.
@Suite struct CredentialCacheTests {
    @Test func pastMaxEntriesEvictedCredentialsAreLoadedAgain() {
        let cache = CredentialCache<Int>()
        let bound = CredentialCache<Int>.maxEntries
        for index in 0..<bound { _ = cache.value("key\(index)") { index } }
        #expect(cache.cached("key0") == 0)  // full, nothing evicted yet

        #expect(cache.value("key\(bound)") { bound } == bound)
        #expect(cache.cached("key0") == nil)  // evicted: the cache did not grow past its bound
        #expect(cache.cached("key\(bound)") == bound)

        var loads = 0
        #expect(cache.value("key0") { loads += 1; return 0 } == 0)
        #expect(loads == 1)
        #expect(cache.cached("key0") == 0)
    }
}
