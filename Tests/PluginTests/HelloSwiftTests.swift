import PluginKitTesting
import Testing

extension PluginTests {
    @Suite struct HelloSwift {
        @Test func aPathParameterIsGreeted() throws {
            let app = try TestHost(plugins: ["HelloSwift"])
            let response = try app.request(.get, "/api/v1/hello-swift/greetings/ada%20lovelace")
            #expect(response.status == 200)
            #expect(response.object["message"] as? String == "hello, ada lovelace")
        }

        @Test func echoCountsUnicodeScalarsAndNamesAMissingField() throws {
            let app = try TestHost(plugins: ["HelloSwift"])
            let echoed = try app.request(.post, "/api/v1/hello-swift/echo", json: ["text": "héllo"])
            #expect(echoed.status == 200)
            #expect(echoed.object["length"] as? Int == 5)
            let refused = try app.request(.post, "/api/v1/hello-swift/echo", json: ["txt": "x"])
            #expect(refused.status == 400)
            #expect(refused.errorFields == ["text"], "\(refused.text)")
        }

        @Test func aDeferredResponseIsFinishedByATimer() throws {
            let app = try TestHost(plugins: ["HelloSwift"])
            let response = try app.request(.get, "/api/v1/hello-swift/later?ms=20")
            #expect(response.status == 200)
            #expect(response.object["waited_ms"] as? Int == 20)
        }

        @Test func eventsAreStreamedInOrder() throws {
            let app = try TestHost(plugins: ["HelloSwift"])
            let response = try app.request(.get, "/api/v1/hello-swift/greetings?ms=5")
            #expect(response.header("Content-Type") == "text/event-stream")
            #expect(response.text.components(separatedBy: "event: greeting").count == 4, "\(response.text)")
        }

        @Test func aProtectedRouteNeedsAPrincipal() throws {
            let app = try TestHost(plugins: ["HelloSwift"])
            #expect(try app.request(.get, "/api/v1/hello-swift/whoami").status == 401)
            let response = try app.request(.get, "/api/v1/hello-swift/whoami", as: .user("user_1"))
            #expect(response.object["user_id"] as? String == "user_1")
        }

        @Test func unknownPathsAndMethodsGetTheHostsAnswers() throws {
            let app = try TestHost(plugins: ["HelloSwift"])
            #expect(try app.request(.get, "/api/v1/nowhere").status == 404)
            let wrongMethod = try app.request(.put, "/api/v1/hello-swift/echo")
            #expect(wrongMethod.status == 405)
            #expect(wrongMethod.header("Allow") == "POST")
        }
    }
}
