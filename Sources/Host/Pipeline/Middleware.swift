import PluginABI

/// The middleware phases of DESIGN.md, in the order a request passes them.
enum MiddlewarePhase: Int32, CaseIterable, Sendable {
    case preRoute = 0, authenticate, rateLimit, authorize, handler, response, log

    var name: String {
        switch self {
        case .preRoute: "PRE_ROUTE"
        case .authenticate: "AUTHENTICATE"
        case .rateLimit: "RATE_LIMIT"
        case .authorize: "AUTHORIZE"
        case .handler: "HANDLER"
        case .response: "RESPONSE"
        case .log: "LOG"
        }
    }
}

/// A plugin's middleware, placed in a phase.
struct Middleware: Sendable {
    let plugin: String
    let phase: MiddlewarePhase
    let order: Int32
    let run: pattern_middleware_fn
    let userdata: PluginUserdata
    let isInline: Bool

    /// Execution order within a phase: by `order`, ties broken by plugin name.
    static func precedes(_ a: Middleware, _ b: Middleware) -> Bool {
        a.order != b.order ? a.order < b.order : a.plugin < b.plugin
    }
}
