import PluginKitTesting
import Testing

extension PluginTests {
    @Suite struct Auth {
        static let config = ["auth": #"{"bcrypt_cost":4}"#]
        static let root = TestPrincipal.admin("user_root")

        func createUser(_ app: TestHost, _ username: String, password: String = "password-123") throws -> String {
            let created = try app.request(.post, "/api/v1/users", json: ["username": username, "password": password], as: Self.root)
            try #require(created.status == 201, "\(created.text)")
            return try #require(created.object["id"] as? String)
        }

        func login(_ app: TestHost, _ username: String, password: String = "password-123") throws -> TestResponse {
            try app.request(.post, "/api/v1/auth/login", json: ["username": username, "password": password])
        }

        @Test func aLoginsAccessTokenAuthenticatesLaterRequests() throws {
            let app = try TestHost(plugins: ["PatternAuth"], config: Self.config)
            let id = try createUser(app, "alice")
            let tokens = try login(app, "alice")
            try #require(tokens.status == 200, "\(tokens.text)")
            let access = try #require(tokens.object["access_token"] as? String)
            let me = try app.request(.get, "/api/v1/auth/me", headers: ["Authorization": "Bearer \(access)"])
            #expect(me.status == 200)
            #expect(me.object["id"] as? String == id)
            #expect(me.object["username"] as? String == "alice")
        }

        @Test func aWrongPasswordAndAnUnknownUserGetTheSameAnswer() throws {
            let app = try TestHost(plugins: ["PatternAuth"], config: Self.config)
            _ = try createUser(app, "alice")
            let wrongPassword = try login(app, "alice", password: "not-the-password")
            let unknownUser = try login(app, "nobody", password: "not-the-password")
            #expect(wrongPassword.status == 401)
            #expect(unknownUser.status == 401)
            #expect(wrongPassword.object["error"] as? [String: String] == unknownUser.object["error"] as? [String: String])
        }

        @Test func aForgedTokenIsRefusedOnProtectedRoutes() throws {
            let app = try TestHost(plugins: ["PatternAuth"], config: Self.config)
            let response = try app.request(.get, "/api/v1/auth/me", headers: ["Authorization": "Bearer not.a.token"])
            #expect(response.status == 401)
            #expect(response.header("WWW-Authenticate")?.contains("invalid_token") == true)
        }

        @Test func onlyAdministratorsCreateUsersAndNamesAreUniqueIgnoringCase() throws {
            let app = try TestHost(plugins: ["PatternAuth"], config: Self.config)
            _ = try createUser(app, "Alice")
            let duplicate = try app.request(.post, "/api/v1/users", json: ["username": "alice", "password": "password-123"],
                                            as: Self.root)
            #expect(duplicate.status == 409)
            let byUser = try app.request(.post, "/api/v1/users", json: ["username": "carol", "password": "password-123"],
                                         as: .user("user_bob"))
            #expect(byUser.status == 403)
        }

        @Test func aShortPasswordIsAValidationErrorNamingTheField() throws {
            let app = try TestHost(plugins: ["PatternAuth"], config: Self.config)
            let response = try app.request(.post, "/api/v1/users", json: ["username": "dave", "password": "short"], as: Self.root)
            #expect(response.status == 400)
            #expect(response.errorFields == ["password"], "\(response.text)")
        }

        @Test func anAPIKeyIsShownOnceAndAuthenticatesWithItsPermissionsOnly() throws {
            let app = try TestHost(plugins: ["PatternAuth"], config: Self.config)
            let id = try createUser(app, "erin")
            let created = try app.request(.post, "/api/v1/api-keys", json: ["name": "ci", "permissions": ["read_agents"]],
                                          as: .user(id))
            try #require(created.status == 201, "\(created.text)")
            let key = try #require(created.object["key"] as? String)
            let listed = try app.request(.get, "/api/v1/api-keys", as: .user(id))
            #expect(!listed.text.contains(key))
            let me = try app.request(.get, "/api/v1/auth/me", headers: ["Authorization": "Bearer \(key)"])
            #expect(me.object["id"] as? String == id, "\(me.text)")
            let newKey = try app.request(.post, "/api/v1/api-keys", json: ["name": "more", "permissions": ["read_agents"]],
                                         headers: ["Authorization": "Bearer \(key)"])
            #expect(newKey.status == 403)
        }
    }
}
