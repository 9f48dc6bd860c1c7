import PluginABI

/// What middleware needs to know about the route a request matched, and per-request
/// attributes plugins hand each other (e.g. auth's session id for its logout handler).
extension Request {
    /// The matched route's registration options (empty when no route matched).
    public var routeOptions: PluginHost.RouteOptions { PluginHost.RouteOptions(rawValue: http.pointee.route_flags(handle)) }

    /// The permission the matched route requires, or nil.
    public var routePermission: String? {
        let permission = http.pointee.route_permission(handle).string
        return permission.isEmpty ? nil : permission
    }

    /// Sets a per-request attribute (copied by the host).
    public func setAttribute(_ key: String, _ value: String) {
        _ = withABIString(key) { keyText in
            withABIString(value) { http.pointee.set_attribute(handle, keyText, $0) }
        }
    }

    /// A per-request attribute set earlier in the chain, or nil.
    public func attribute(_ key: String) -> String? {
        var value = pattern_str()
        let status = withABIString(key) { http.pointee.get_attribute(handle, $0, &value) }
        return status == PATTERN_OK ? value.string : nil
    }
}
