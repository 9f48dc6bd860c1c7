import PluginKitTesting
import Testing

extension PluginTests {
    @Suite struct Metrics {
        @Test func finishedRequestsAreCountedByRoute() throws {
            let app = try TestHost(plugins: ["PatternMetrics", "HelloSwift"])
            _ = try app.request(.get, "/api/v1/hello-swift/greetings/ada")
            _ = try app.request(.get, "/api/v1/hello-swift/greetings/bob")
            let scrape = try app.request(.get, "/metrics")
            #expect(scrape.status == 200)
            #expect(scrape.header("Content-Type")?.hasPrefix("text/plain") == true)
            let line = scrape.text.split(separator: "\n").first {
                $0.hasPrefix("http_requests_total{") && $0.contains("/api/v1/hello-swift/greetings/{name}")
            }
            #expect(line?.hasSuffix(" 2") == true, "\(scrape.text)")
        }

        @Test func aTokenProtectsTheScrapeWhenConfigured() throws {
            let app = try TestHost(plugins: ["PatternMetrics"], config: ["metrics": #"{"access":"token","token":"scrape-token-0123456789"}"#])
            #expect(try app.request(.get, "/metrics").status == 401)
            #expect(try app.request(.get, "/metrics", headers: ["Authorization": "Bearer scrape-token-0123456789"]).status == 200)
        }

        @Test func anUnknownConfigKeyStopsTheStart() {
            #expect(throws: TestHostError.self) {
                _ = try TestHost(plugins: ["PatternMetrics"], config: ["metrics": #"{"acess":"open"}"#])
            }
        }
    }
}
