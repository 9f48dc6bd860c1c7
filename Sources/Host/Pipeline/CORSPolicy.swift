/// Cross-origin rules from `[cors]`: which origins may call the API from a browser, and the
/// preflight answer. A wildcard is never combined with credentials (config refuses it).
struct CORSPolicy: Sendable {
    let allowedOrigins: Set<String>
    let allowsAnyOrigin: Bool
    let allowCredentials: Bool
    let allowedMethods: String
    let allowedHeaders: String
    let maxAge: String
    static let exposedHeaders = "X-Request-Id, Retry-After, RateLimit, RateLimit-Policy"

    init(origins: [String], allowCredentials: Bool, methods: [String], headers: [String], maxAge: Int) {
        allowsAnyOrigin = origins.contains("*")
        allowedOrigins = Set(origins.filter { $0 != "*" })
        self.allowCredentials = allowCredentials
        allowedMethods = methods.joined(separator: ", ")
        allowedHeaders = headers.joined(separator: ", ")
        self.maxAge = String(maxAge)
    }

    var isEnabled: Bool { allowsAnyOrigin || !allowedOrigins.isEmpty }

    /// The Access-Control-Allow-Origin value for `origin`, or nil when it is not allowed.
    func allowOrigin(for origin: String) -> String? {
        if allowedOrigins.contains(origin) { return origin }
        return allowsAnyOrigin ? "*" : nil
    }

    /// Answers a preflight (`OPTIONS` with `Origin` and `Access-Control-Request-Method`);
    /// returns false when the request is not one.
    func answerPreflight(_ context: RequestContext) -> Bool {
        guard isEnabled, context.method.elementsEqual("OPTIONS".utf8),
              let origin = context.header("origin"),
              context.headerRange("access-control-request-method") != nil
        else { return false }
        context.response.status = 204
        context.response.addHeader("Vary", "Origin")
        if let allowed = allowOrigin(for: origin) {
            context.response.addHeader("Access-Control-Allow-Origin", allowed)
            context.response.addHeader("Access-Control-Allow-Methods", allowedMethods)
            context.response.addHeader("Access-Control-Allow-Headers", allowedHeaders)
            context.response.addHeader("Access-Control-Max-Age", maxAge)
            if allowCredentials { context.response.addHeader("Access-Control-Allow-Credentials", "true") }
        }
        return true
    }

    /// Adds the CORS headers to an ordinary response for an allowed origin.
    func decorate(_ context: RequestContext) {
        guard isEnabled, let origin = context.header("origin") else { return }
        context.response.addHeader("Vary", "Origin")
        guard let allowed = allowOrigin(for: origin) else { return }
        context.response.addHeader("Access-Control-Allow-Origin", allowed)
        context.response.addHeader("Access-Control-Expose-Headers", Self.exposedHeaders)
        if allowCredentials { context.response.addHeader("Access-Control-Allow-Credentials", "true") }
    }
}
