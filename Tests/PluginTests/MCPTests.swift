import PluginKitTesting
import Testing

extension PluginTests {
    @Suite struct MCP {
        static let plugins = ["PatternAuth", "PatternMCP"]
        static let alice = TestPrincipal.user("user_alice")

        @Test func onlyAdministratorsRegisterStdioServers() throws {
            let app = try TestHost(plugins: Self.plugins)
            let body: [String: Any] = ["name": "local", "transport": ["type": "stdio", "command": "/bin/true", "args": []]]
            let response = try app.request(.post, "/api/v1/mcp/servers", json: body, as: Self.alice)
            #expect(response.status == 403, "\(response.text)")
        }

        @Test func aStdioCommandTheOperatorDidNotListIsRefused() throws {
            let app = try TestHost(plugins: Self.plugins)
            let body: [String: Any] = ["name": "local", "transport": ["type": "stdio", "command": "/bin/true", "args": []]]
            let response = try app.request(.post, "/api/v1/mcp/servers", json: body, as: .admin("user_root"))
            #expect(response.status == 400, "\(response.text)")
            #expect(response.errorFields.first?.contains("command") == true, "\(response.text)")
        }

        @Test func anHTTPServerIsRegisteredWithItsHeadersHidden() throws {
            let app = try TestHost(plugins: Self.plugins)
            let body: [String: Any] = ["name": "remote", "auto_reconnect": false, "transport": [
                "type": "http", "url": "https://mcp.example/mcp", "headers": ["Authorization": "Bearer hidden-token"],
            ]]
            let created = try app.request(.post, "/api/v1/mcp/servers", json: body, as: Self.alice)
            try #require(created.status == 201, "\(created.text)")
            let id = try #require(created.object["id"] as? String)
            let read = try app.request(.get, "/api/v1/mcp/servers/\(id)", as: Self.alice)
            #expect(read.status == 200)
            #expect(!read.text.contains("hidden-token"))
            #expect(try app.request(.get, "/api/v1/mcp/servers/\(id)", as: .user("user_bob")).status == 404)
        }

        @Test func theEndpointNeedsAPrincipal() throws {
            let app = try TestHost(plugins: Self.plugins)
            let initialize: [String: Any] = ["jsonrpc": "2.0", "id": 1, "method": "initialize", "params": [:] as [String: Any]]
            let response = try app.request(.post, "/api/v1/mcp", json: initialize, headers: ["Accept": "application/json, text/event-stream"])
            #expect(response.status == 401)
        }
    }
}
