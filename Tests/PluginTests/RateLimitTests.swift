import PluginKitTesting
import Testing

extension PluginTests {
    @Suite struct RateLimit {
        static let config = ["ratelimit": #"{"default":{"requests":2,"window_seconds":60,"burst":2}}"#]

        @Test func theRequestPastTheBurstIsRefusedWithRetryAfter() throws {
            let app = try TestHost(plugins: ["PatternRateLimit", "HelloSwift"], config: Self.config)
            let user = TestPrincipal.user("user_alice")
            let first = try app.request(.get, "/api/v1/hello-swift/whoami", as: user)
            #expect(first.status == 200)
            #expect(first.header("RateLimit-Policy") != nil)
            _ = try app.request(.get, "/api/v1/hello-swift/whoami", as: user)
            let refused = try app.request(.get, "/api/v1/hello-swift/whoami", as: user)
            #expect(refused.status == 429)
            #expect(refused.errorType == "rate_limit")
            #expect(Int(refused.header("Retry-After") ?? "") ?? 0 > 0)
        }

        @Test func eachPrincipalHasItsOwnBucket() throws {
            let app = try TestHost(plugins: ["PatternRateLimit", "HelloSwift"], config: Self.config)
            for _ in 0..<3 { _ = try app.request(.get, "/api/v1/hello-swift/whoami", as: .user("user_alice")) }
            #expect(try app.request(.get, "/api/v1/hello-swift/whoami", as: .user("user_bob")).status == 200)
        }
    }
}
