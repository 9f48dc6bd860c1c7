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

    /// What an observer records about the finished exchange, in one host call (ABI 1.2; an
    /// older host is asked one question at a time).
    public var exchangeSummary: ExchangeSummary {
        guard abiHasField(http.pointee.struct_size, \pattern_http_api.exchange_summary) else {
            return ExchangeSummary(status: responseStatus, methodBytes: methodBytes, routeID: routeID,
                                   requestBodySize: bodySize, responseBodySize: responseBodySize,
                                   elapsedSeconds: elapsedSeconds)
        }
        var summary = pattern_exchange_summary()
        summary.struct_size = UInt32(MemoryLayout<pattern_exchange_summary>.size)
        _ = http.pointee.exchange_summary(handle, &summary)
        return ExchangeSummary(status: Int(summary.status), methodBytes: summary.method.borrowedBytes,
                               routeID: UInt(bitPattern: summary.route_template.ptr),
                               requestBodySize: Int(summary.request_body_size),
                               responseBodySize: Int(summary.response_body_size),
                               elapsedSeconds: Double(summary.elapsed_nanoseconds) / 1e9)
    }

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

/// A finished exchange as an observer sees it. `methodBytes` is borrowed like the request.
public struct ExchangeSummary {
    public let status: Int
    public let methodBytes: UnsafeRawBufferPointer
    /// See `Request.routeID`: 0 when no route matched.
    public let routeID: UInt
    public let requestBodySize: Int
    public let responseBodySize: Int
    public let elapsedSeconds: Double
}

extension PluginHost.MiddlewareOutcome {
    /// Answers with the API's standard error body (headers added before, such as
    /// Retry-After, are kept) and stops the chain.
    public static func error(_ error: HTTPError, on request: Request) -> Self {
        error.write(to: request)
        return .respond(Response(status: error.status))
    }
}
