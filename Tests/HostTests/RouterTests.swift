import Testing
@testable import Host

@Suite struct RouterTests {
    private func route(_ method: String, _ template: String, plugin: String = "test") -> Route {
        Route(method: method, template: template, plugin: plugin, handler: .builtIn { _ in }, flags: 0,
              permission: nil, openAPI: nil)
    }

    private func match(_ router: Router, _ method: String, _ path: String) -> (String?, [String], [String]?) {
        let methodBytes = Array(method.utf8)
        let pathBytes = Array(path.utf8)
        return methodBytes.withUnsafeBytes { methodBuffer in
            pathBytes.withUnsafeBytes { pathBuffer in
                switch router.match(method: methodBuffer, path: pathBuffer, base: 0) {
                case .found(let route, let parameters):
                    return ("\(route.method) \(route.template)",
                            parameters.map { String(decoding: pathBytes[$0], as: UTF8.self) }, nil)
                case .methodNotAllowed(let allow):
                    return (nil, [], allow)
                case .notFound:
                    return (nil, [], nil)
                }
            }
        }
    }

    @Test func literalAndParameterSegments() throws {
        var router = Router()
        try router.add(route("GET", "/api/v1/agents"))
        try router.add(route("GET", "/api/v1/agents/{id}"))
        try router.add(route("GET", "/api/v1/agents/{id}/memory"))
        try router.add(route("GET", "/api/v1/agents/search"))
        #expect(match(router, "GET", "/api/v1/agents").0 == "GET /api/v1/agents")
        #expect(match(router, "GET", "/api/v1/agents/search").0 == "GET /api/v1/agents/search")
        let byID = match(router, "GET", "/api/v1/agents/agent_1")
        #expect(byID.0 == "GET /api/v1/agents/{id}")
        #expect(byID.1 == ["agent_1"])
        #expect(match(router, "GET", "/api/v1/agents/agent_1/memory").1 == ["agent_1"])
    }

    @Test func literalFailureBacktracksToParameter() throws {
        var router = Router()
        try router.add(route("GET", "/a/b/c"))
        try router.add(route("GET", "/a/{x}/d"))
        #expect(match(router, "GET", "/a/b/d").0 == "GET /a/{x}/d")
        #expect(match(router, "GET", "/a/b/d").1 == ["b"])
    }

    @Test func notFoundCases() throws {
        var router = Router()
        try router.add(route("GET", "/api/v1/health"))
        try router.add(route("GET", "/api/v1/agents/{id}"))
        for path in ["/api/v1/health/", "/api/v1/healthz", "/api/v1", "", "api/v1/health", "/api/v1/agents/",
                     "/api/v1/agents//", "/api//v1/health"] {
            let result = match(router, "GET", path)
            #expect(result.0 == nil && result.2 == nil, "\(path) should be 404")
        }
    }

    @Test func methodNotAllowedListsMethodsWithHead() throws {
        var router = Router()
        try router.add(route("GET", "/items/{id}"))
        try router.add(route("DELETE", "/items/{id}"))
        #expect(match(router, "POST", "/items/1").2 == ["DELETE", "GET", "HEAD"])
    }

    @Test func headIsServedByGet() throws {
        var router = Router()
        try router.add(route("GET", "/items"))
        #expect(match(router, "HEAD", "/items").0 == "GET /items")
    }

    @Test func clashingRoutesAreRefusedNamingBothPlugins() throws {
        var router = Router()
        try router.add(route("GET", "/items/{id}", plugin: "one"))
        #expect(throws: Router.RegistrationError.self) { try router.add(route("GET", "/items/{key}", plugin: "two")) }
        do {
            try router.add(route("GET", "/items/{other}", plugin: "two"))
        } catch {
            #expect(error.description.contains("one") && error.description.contains("two"))
        }
    }

    @Test func invalidTemplatesAreRefused() {
        var router = Router()
        #expect(throws: Router.RegistrationError.self) { try router.add(route("GET", "items")) }
        #expect(throws: Router.RegistrationError.self) { try router.add(route("GET", "/a//b")) }
        #expect(throws: Router.RegistrationError.self) { try router.add(route("GET", "/a/{b")) }
    }

    @Test func parameterNamesFollowTheTemplate() {
        #expect(route("GET", "/groups/{id}/members/{agent_id}").parameterNames == ["id", "agent_id"])
    }
}
