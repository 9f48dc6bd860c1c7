import PluginABI

/// The exchange as an observer sees it (phases RESPONSE and LOG): sizes, status, timing.
extension Request {
    /// The response status; 0 before one is set.
    public var responseStatus: Int { Int(http.pointee.response_status(handle)) }
    /// Bytes of the response body so far.
    public var responseBodySize: Int { http.pointee.response_body_size(handle) }
    /// Bytes of the request body, without copying it.
    public var bodySize: Int { http.pointee.body(handle).len }
    /// Seconds since the request's first byte arrived.
    public var elapsedSeconds: Double { http.pointee.elapsed_seconds(handle) }

    /// Adds a response header; usable in any phase (it survives error bodies set later).
    public func addResponseHeader(_ name: String, _ value: String) {
        _ = withABIString(name) { nameText in
            withABIString(value) { http.pointee.add_header(handle, nameText, $0) }
        }
    }

    /// Adds a response header whose value the caller built as bytes.
    public func addResponseHeader(_ name: String, bytes value: [UInt8]) {
        _ = withABIString(name) { nameText in
            withABIBytes(value) { http.pointee.add_header(handle, nameText, $0) }
        }
    }
}

extension PluginHost.MiddlewareOutcome {
    /// Answers with the API's standard error body (headers added before, such as
    /// Retry-After, are kept) and stops the chain.
    public static func error(_ error: HTTPError, on request: Request) -> Self {
        error.write(to: request)
        return .respond(Response(status: error.status))
    }
}
