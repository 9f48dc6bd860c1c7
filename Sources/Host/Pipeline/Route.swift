import PluginABI

/// What a route runs: a host built-in (health, OpenAPI) or a plugin's C handler.
enum RouteHandler: Sendable {
    case builtIn(@Sendable (RequestContext) -> Void)
    case plugin(pattern_handler_fn, PluginUserdata)
}

/// A plugin's opaque `void *userdata`, passed back to its callbacks.
// @unchecked: the host never dereferences it; the ABI's threading rules make the plugin
// responsible for what it points to.
struct PluginUserdata: @unchecked Sendable {
    let raw: UnsafeMutableRawPointer?
}

/// One registered route: method + path template, its handler and its access rules.
final class Route: Sendable {
    let method: String
    let template: String
    let plugin: String
    let handler: RouteHandler
    let flags: UInt32
    let permission: String?
    /// The OpenAPI Operation Object (JSON text) the plugin supplied, if any.
    let openAPI: String?
    /// Names of the template's `{param}` segments, in order.
    let parameterNames: [String]
    let templateBytes: PinnedBytes
    let permissionBytes: PinnedBytes

    init(method: String, template: String, plugin: String, handler: RouteHandler, flags: UInt32,
         permission: String?, openAPI: String?) {
        self.method = method
        self.template = template
        self.plugin = plugin
        self.handler = handler
        self.flags = flags
        self.permission = permission
        self.openAPI = openAPI
        parameterNames = template.split(separator: "/").filter { $0.hasPrefix("{") && $0.hasSuffix("}") }
            .map { String($0.dropFirst().dropLast()) }
        templateBytes = PinnedBytes(template)
        permissionBytes = PinnedBytes(permission ?? "")
    }

    var isPublic: Bool { flags & UInt32(PATTERN_PUBLIC) != 0 }
    var requiresAdmin: Bool { flags & UInt32(PATTERN_ADMIN) != 0 }
    var isInline: Bool { flags & UInt32(PATTERN_INLINE) != 0 }
}
