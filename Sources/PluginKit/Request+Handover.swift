import PluginABI

/// Handing the request being served to another plugin's named service within the same call
/// (e.g. the login throttle reads the client's address from it). The service's view is valid
/// only until that call returns, on that thread, like any request.
extension Request {
    /// The handle to pass to a service function that takes a `const pattern_request *`.
    public var abiHandle: OpaquePointer { handle }
}

extension PluginHost {
    /// The request behind a handle that a caller passed to this plugin's service.
    public func request(borrowing handle: OpaquePointer) -> Request { Request(handle: handle, http: table.http) }
}
