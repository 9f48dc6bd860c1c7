import PluginKitTesting
import Testing

@Test func theGreetingNamesWhoIsGreeted() throws {
    let app = try TestHost(plugins: ["PluginTemplate"])
    let response = try app.request(.get, "/api/v1/template/greetings/ada%20lovelace")
    #expect(response.status == 200)
    #expect(response.object["message"] as? String == "hello, ada lovelace")
}
