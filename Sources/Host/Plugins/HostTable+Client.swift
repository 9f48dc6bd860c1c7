import PluginABI

/// The `client` sub-table (ABI 1.4): outbound HTTP requests through `OutboundClient`.
extension HostTable {
    static func makeClient() -> pattern_client_api {
        var api = pattern_client_api()
        api.struct_size = ABIStruct.size(of: pattern_client_api.self)
        api.start = { request, out in HostTable.startCall(request, out) }
        api.cancel = { call in
            guard let runtime = HostTable.runtime else { return PATTERN_STATE }
            return runtime.outbound.cancel(call) ? PATTERN_OK : PATTERN_NOT_FOUND
        }
        api.pause = { call, paused in
            guard let runtime = HostTable.runtime else { return PATTERN_STATE }
            return runtime.outbound.pause(call, paused != 0) ? PATTERN_OK : PATTERN_NOT_FOUND
        }
        return api
    }

    /// A request body larger than this is refused (PATTERN_INVALID) rather than copied.
    static let maxOutboundBodyBytes = 64 << 20

    private static func startCall(_ request: UnsafePointer<pattern_client_request>?, _ out: UnsafeMutablePointer<UInt64>?)
        -> pattern_status
    {
        guard let request, let out, let onComplete = ABIStruct.field(request, \.on_complete) ?? nil else {
            return PATTERN_INVALID
        }
        guard let runtime else { return PATTERN_STATE }
        let copied: OutboundRequest
        do {
            copied = try copyRequest(request)
        } catch {
            runtime.logger.log(.warn, "outbound request refused", ["reason": error.reason])
            return PATTERN_INVALID
        }
        var options = OutboundCall.Options()
        func milliseconds(_ value: UInt32?, _ fallback: UInt64) -> UInt64 { value.map { $0 == 0 ? fallback : UInt64($0) } ?? fallback }
        options.connectTimeoutMs = milliseconds(ABIStruct.field(request, \.connect_timeout_ms), options.connectTimeoutMs)
        options.firstByteTimeoutMs = milliseconds(ABIStruct.field(request, \.first_byte_timeout_ms), options.firstByteTimeoutMs)
        options.idleTimeoutMs = milliseconds(ABIStruct.field(request, \.idle_timeout_ms), options.idleTimeoutMs)
        options.totalTimeoutMs = UInt64(ABIStruct.field(request, \.total_timeout_ms) ?? 0)
        if let limit = ABIStruct.field(request, \.max_response_bytes), limit > 0 {
            options.maxResponseBytes = Int(clamping: limit)
        }
        let flags = ABIStruct.field(request, \.flags) ?? 0
        options.followRedirects = flags & UInt32(PATTERN_CLIENT_FOLLOW_REDIRECTS) != 0
        options.events = flags & UInt32(PATTERN_CLIENT_EVENTS) != 0
        options.maxEventBytes = Int(clamping: ABIStruct.field(request, \.max_event_bytes) ?? 0)
        options.onLoop = flags & UInt32(PATTERN_CLIENT_ON_LOOP) != 0

        let onHead = ABIStruct.field(request, \.on_head) ?? nil
        let onData = ABIStruct.field(request, \.on_data) ?? nil
        let onEvent = ABIStruct.field(request, \.on_event) ?? nil
        let userdata = PluginUserdata(raw: ABIStruct.field(request, \.userdata) ?? nil)
        do {
            out.pointee = try runtime.outbound.start(copied, options: options) { id in
                OutboundCallbacks(
                    head: onHead.map { onHead in
                        { status, headers in
                            withBorrowedHeaders(headers) { onHead(id, Int32(status), $0.baseAddress, $0.count, userdata.raw) }
                        }
                    },
                    data: onData.map { onData in
                        { bytes in withBorrowed(bytes) { onData(id, $0, userdata.raw) } }
                    },
                    event: onEvent.map { onEvent in
                        { event in
                            withBorrowed(event.name) { name in
                                withBorrowed(event.data) { data in withBorrowed(event.id) { onEvent(id, name, data, $0, userdata.raw) } }
                            }
                        }
                    },
                    complete: { outcome, message in withBorrowed(message) { onComplete(id, outcome.rawValue, $0, userdata.raw) } })
            }
            return PATTERN_OK
        } catch {
            switch error {
            case .notServing, .stopping: return PATTERN_STATE
            case .busy: return PATTERN_BUSY
            }
        }
    }

    private static func copyRequest(_ request: UnsafePointer<pattern_client_request>) throws(OutboundRequest.Invalid)
        -> OutboundRequest
    {
        let body = ABIStruct.field(request, \.body) ?? .empty
        guard body.len <= maxOutboundBodyBytes else {
            throw OutboundRequest.Invalid(reason: "request body larger than \(maxOutboundBodyBytes) bytes")
        }
        var headers: [OutboundRequest.Header] = []
        let count = ABIStruct.field(request, \.header_count) ?? 0
        if count > 0 {
            guard count <= OutboundRequest.maxHeaders, let list = ABIStruct.field(request, \.headers) ?? nil else {
                throw OutboundRequest.Invalid(reason: "header list missing or longer than \(OutboundRequest.maxHeaders)")
            }
            headers = (0..<count).map { OutboundRequest.Header(name: Array(list[$0].name.bytes), value: Array(list[$0].value.bytes)) }
        }
        return try OutboundRequest(
            method: (ABIStruct.field(request, \.method) ?? .empty).string, url: (ABIStruct.field(request, \.url) ?? .empty).string,
            headers: headers, body: Array(body.bytes))
    }

    /// Calls `body` with the headers as borrowed `pattern_header`s (valid only during the call).
    private static func withBorrowedHeaders<R>(_ headers: [OutboundRequest.Header],
                                               _ body: (UnsafeBufferPointer<pattern_header>) -> R) -> R
    {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(headers.reduce(0) { $0 + $1.name.count + $1.value.count })
        for header in headers { bytes += header.name + header.value }
        return bytes.withUnsafeBufferPointer { buffer in
            let base = UnsafeRawPointer(buffer.baseAddress).map { $0.assumingMemoryBound(to: CChar.self) }
            var offset = 0
            let borrowed = headers.map { header -> pattern_header in
                defer { offset += header.name.count + header.value.count }
                return pattern_header(name: pattern_str(ptr: base.map { $0 + offset }, len: header.name.count),
                                      value: pattern_str(ptr: base.map { $0 + offset + header.name.count }, len: header.value.count))
            }
            return borrowed.withUnsafeBufferPointer(body)
        }
    }
}
