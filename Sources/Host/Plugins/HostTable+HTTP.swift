import Foundation
import PluginABI

/// The `http` sub-table: route and middleware registration, request accessors, responses.
extension HostTable {
    static func makeHTTP() -> pattern_http_api {
        var api = pattern_http_api()
        api.struct_size = ABIStruct.size(of: pattern_http_api.self)
        api.add_route = { plugin, route in HostTable.addRoute(plugin, route) }
        api.add_middleware = { plugin, middleware in HostTable.addMiddleware(plugin, middleware) }
        api.method = { request in let context = RequestContext.from(request); return context.str(context.head.method) }
        api.path = { request in let context = RequestContext.from(request); return context.str(context.head.path) }
        api.query = { request in
            let context = RequestContext.from(request)
            return context.head.query.map(context.str) ?? .empty
        }
        api.route_template = { request in RequestContext.from(request).route?.templateBytes.str ?? .empty }
        api.request_id = { request in
            let context = RequestContext.from(request)
            return context.retain(context.requestID)
        }
        api.client_ip = { request in RequestContext.from(request).clientIP.bytes.str }
        api.body = { request in let context = RequestContext.from(request); return context.str(context.bodyRange) }
        api.header = { request, name, value in
            let context = RequestContext.from(request)
            guard let range = context.headerRange(name.string) else { return PATTERN_NOT_FOUND }
            value?.pointee = context.str(range)
            return PATTERN_OK
        }
        api.header_count = { request in RequestContext.from(request).head.headers.count }
        api.header_at = { request, index, name, value in
            let context = RequestContext.from(request)
            guard index < context.head.headers.count else { return PATTERN_NOT_FOUND }
            name?.pointee = context.str(context.head.headers[index].name)
            value?.pointee = context.str(context.head.headers[index].value)
            return PATTERN_OK
        }
        api.path_param = { request, name, value in HostTable.pathParameter(request, name, value) }
        api.query_param = { request, name, value in HostTable.queryParameter(request, name, value) }
        api.route_flags = { request in RequestContext.from(request).route?.flags ?? UInt32(PATTERN_PUBLIC) }
        api.route_permission = { request in RequestContext.from(request).route?.permissionBytes.str ?? .empty }
        api.set_principal = { request, principal in HostTable.setPrincipal(request, principal) }
        api.get_principal = { request, out in
            guard let view = RequestContext.from(request).principalView else { return PATTERN_NOT_FOUND }
            guard let out else { return PATTERN_INVALID }
            HostTable.fillPrincipal(out, with: view)
            return PATTERN_OK
        }
        api.set_attribute = { request, key, value in
            RequestContext.from(request).attributes[key.string] = Array(value.bytes)
            return PATTERN_OK
        }
        api.get_attribute = { request, key, value in
            let context = RequestContext.from(request)
            guard let bytes = context.attributes[key.string] else { return PATTERN_NOT_FOUND }
            value?.pointee = context.retain(bytes)
            return PATTERN_OK
        }
        api.set_status = { request, status in HostTable.setStatus(RequestContext.from(request), status) }
        api.add_header = { request, name, value in HostTable.addHeader(RequestContext.from(request), name, value) }
        api.write_body = { request, bytes in
            RequestContext.from(request).response.body.append(contentsOf: bytes.bytes)
            return PATTERN_OK
        }
        api.respond_error = { request, status, type, message, fields in
            HostTable.respondError(RequestContext.from(request), status, type, message, fields)
        }
        api.response_status = { request in Int32(RequestContext.from(request).response.status) }
        api.response_body_size = { request in RequestContext.from(request).response.body.count }
        api.elapsed_seconds = { request in
            Double(MonotonicClock.nanoseconds() - RequestContext.from(request).receivedAt) / 1e9
        }
        api.defer = { request, out in HostTable.deferResponse(RequestContext.from(request), out) }
        api.may_block = { _ in LoopThread.isCurrent ? 0 : 1 }
        api.exchange_summary = { request, out in
            guard let out else { return PATTERN_INVALID }
            ABIStruct.fill(out, with: RequestContext.from(request).exchangeSummary)
            return PATTERN_OK
        }
        return api
    }

    private static func addRoute(_ handle: OpaquePointer?, _ route: UnsafePointer<pattern_route>?) -> pattern_status {
        guard let plugin = LoadedPlugin.from(handle), let route, let runtime else { return PATTERN_INVALID }
        let method = ABIStruct.field(route, \.method)?.string ?? ""
        let path = ABIStruct.field(route, \.path)?.string ?? ""
        guard let handler = ABIStruct.field(route, \.handler) ?? nil else {
            plugin.recordFailure("route \(method) \(path) has no handler")
            return PATTERN_INVALID
        }
        guard !method.isEmpty, method.utf8.allSatisfy({ $0 >= 0x41 && $0 <= 0x5A }) else {
            plugin.recordFailure("route \(path) has an invalid method \"\(method)\"")
            return PATTERN_INVALID
        }
        let permission = ABIStruct.field(route, \.permission)?.string ?? ""
        let openAPI = ABIStruct.field(route, \.openapi)?.string ?? ""
        if !openAPI.isEmpty,
           (try? JSONSerialization.jsonObject(with: Data(openAPI.utf8))) as? [String: Any] == nil {
            plugin.recordFailure("route \(method) \(path): its OpenAPI operation is not a JSON object")
            return PATTERN_INVALID
        }
        let entry = Route(
            method: method, template: path, plugin: plugin.name,
            handler: .plugin(handler, PluginUserdata(raw: ABIStruct.field(route, \.userdata) ?? nil)),
            flags: ABIStruct.field(route, \.flags) ?? 0, permission: permission.isEmpty ? nil : permission,
            openAPI: openAPI.isEmpty ? nil : openAPI)
        let status = runtime.register { registrations in
            do {
                try registrations.router.add(entry)
                return PATTERN_OK
            } catch {
                plugin.recordFailure(String(describing: error))
                return PATTERN_INVALID
            }
        }
        if status == PATTERN_STATE { plugin.recordFailure("route \(method) \(path) registered after init") }
        return status
    }

    private static func addMiddleware(_ handle: OpaquePointer?, _ middleware: UnsafePointer<pattern_middleware>?)
        -> pattern_status
    {
        guard let plugin = LoadedPlugin.from(handle), let middleware, let runtime else { return PATTERN_INVALID }
        guard let run = ABIStruct.field(middleware, \.run) ?? nil,
              let phase = MiddlewarePhase(rawValue: ABIStruct.field(middleware, \.phase) ?? -1)
        else {
            plugin.recordFailure("middleware without a run callback or with an unknown phase")
            return PATTERN_INVALID
        }
        let entry = Middleware(
            plugin: plugin.name, phase: phase, order: ABIStruct.field(middleware, \.order) ?? 0, run: run,
            userdata: PluginUserdata(raw: ABIStruct.field(middleware, \.userdata) ?? nil),
            isInline: (ABIStruct.field(middleware, \.flags) ?? 0) & UInt32(PATTERN_INLINE) != 0)
        return runtime.register { registrations in
            registrations.middleware.append(entry)
            return PATTERN_OK
        }
    }

    private static func pathParameter(
        _ request: OpaquePointer?, _ name: pattern_str, _ value: UnsafeMutablePointer<pattern_str>?
    ) -> pattern_status {
        let context = RequestContext.from(request)
        guard let route = context.route, let index = route.parameterNames.firstIndex(of: name.string),
              index < context.parameterRanges.count
        else { return PATTERN_NOT_FOUND }
        let raw = context.bytes(context.parameterRanges[index])
        if !PercentDecoding.needsDecoding(raw, plusIsSpace: false) {
            value?.pointee = context.str(context.parameterRanges[index])
            return PATTERN_OK
        }
        guard let decoded = PercentDecoding.decode(raw, plusIsSpace: false) else { return PATTERN_INVALID }
        value?.pointee = context.retain(decoded)
        return PATTERN_OK
    }

    private static func queryParameter(
        _ request: OpaquePointer?, _ name: pattern_str, _ value: UnsafeMutablePointer<pattern_str>?
    ) -> pattern_status {
        let context = RequestContext.from(request)
        guard let query = context.head.query else { return PATTERN_NOT_FOUND }
        let wanted = Array(name.bytes)
        for pair in context.bytes(query).split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            let pairBuffer = UnsafeRawBufferPointer(rebasing: pair)
            let equals = pairBuffer.firstIndex(of: UInt8(ascii: "="))
            let key = UnsafeRawBufferPointer(rebasing: pairBuffer[..<(equals ?? pairBuffer.count)])
            guard PercentDecoding.decode(key, plusIsSpace: true) == wanted else { continue }
            let rawValue = equals.map { UnsafeRawBufferPointer(rebasing: pairBuffer[($0 + 1)...]) }
                ?? UnsafeRawBufferPointer(start: nil, count: 0)
            guard let decoded = PercentDecoding.decodeText(rawValue, plusIsSpace: true) else { return PATTERN_INVALID }
            value?.pointee = context.retain(decoded)
            return PATTERN_OK
        }
        return PATTERN_NOT_FOUND
    }

    /// Plugins before 1.3 were always given the whole 1.0 struct, whatever their struct_size
    /// said; later fields go only to callers whose struct_size covers them.
    private static func fillPrincipal(_ out: UnsafeMutablePointer<pattern_principal>, with view: pattern_principal) {
        let original = MemoryLayout<pattern_principal>.offset(of: \.rate_limit)! + MemoryLayout<Int64>.size
        let claimed = Int(UnsafeRawPointer(out).load(as: UInt32.self))
        let room = min(max(claimed, original), MemoryLayout<pattern_principal>.size)
        withUnsafeBytes(of: view) { bytes in
            UnsafeMutableRawPointer(out).copyMemory(from: bytes.baseAddress!, byteCount: room)
        }
        out.pointee.struct_size = UInt32(room)
    }

    private static func setPrincipal(_ request: OpaquePointer?, _ principal: UnsafePointer<pattern_principal>?)
        -> pattern_status
    {
        guard let principal else { return PATTERN_INVALID }
        let userID = ABIStruct.field(principal, \.user_id)?.string ?? ""
        guard !userID.isEmpty else { return PATTERN_INVALID }
        var permissions: [String] = []
        if let list = ABIStruct.field(principal, \.permissions) ?? nil,
           let count = ABIStruct.field(principal, \.permission_count) {
            permissions = (0..<count).map { list[$0].string }
        }
        let keyID = ABIStruct.field(principal, \.api_key_id)?.string ?? ""
        let sessionID = ABIStruct.field(principal, \.session_id)?.string ?? ""
        RequestContext.from(request).setPrincipal(Principal(
            userID: userID, isAdmin: (ABIStruct.field(principal, \.is_admin) ?? 0) != 0, permissions: permissions,
            apiKeyID: keyID.isEmpty ? nil : keyID, rateLimit: ABIStruct.field(principal, \.rate_limit) ?? 0,
            sessionID: sessionID.isEmpty ? nil : sessionID, expiresAt: ABIStruct.field(principal, \.expires_at) ?? 0,
            rateLimitAbovePolicy: (ABIStruct.field(principal, \.rate_limit_above_policy) ?? 0) != 0))
        return PATTERN_OK
    }

    static func setStatus(_ context: RequestContext, _ status: Int32) -> pattern_status {
        guard (100...599).contains(status), status != 101 else { return PATTERN_INVALID }
        context.response.status = Int(status)
        return PATTERN_OK
    }

    static func addHeader(_ context: RequestContext, _ name: pattern_str, _ value: pattern_str) -> pattern_status {
        let nameBytes = name.bytes
        guard !nameBytes.isEmpty, HTTPToken.isToken(nameBytes), !ResponseDraft.isReserved(nameBytes),
              value.bytes.allSatisfy({ $0 >= 0x20 && $0 != 0x7F || $0 == 0x09 })
        else { return PATTERN_INVALID }
        context.response.addHeader(name: nameBytes, value: value.bytes)
        return PATTERN_OK
    }

    /// `http->defer`: only a worker-run handler may hand its response over.
    private static func deferResponse(_ context: RequestContext, _ out: UnsafeMutablePointer<UInt64>?) -> pattern_status {
        guard let out else { return PATTERN_INVALID }
        guard context.inHandler, !context.isDeferred, let origin = context.origin, let runtime else {
            return PATTERN_STATE
        }
        let response = runtime.responses.make(context, origin: origin,
                                              queueBound: origin.loop.settings.streamQueueBytes)
        context.detach(into: response)
        out.pointee = response.id
        return PATTERN_OK
    }

    static func respondError(
        _ context: RequestContext, _ status: Int32, _ type: pattern_str, _ message: pattern_str,
        _ fields: pattern_str
    ) -> pattern_status {
        guard (400...599).contains(status) else { return PATTERN_INVALID }
        let fieldsText = fields.string
        if !fieldsText.isEmpty,
           (try? JSONSerialization.jsonObject(with: Data(fieldsText.utf8))) as? [Any] == nil {
            return PATTERN_INVALID
        }
        let typeText = type.string
        context.respondError(
            Int(status), message.string, type: typeText.isEmpty ? nil : typeText,
            fieldsJSON: fieldsText.isEmpty ? nil : fieldsText)
        return PATTERN_OK
    }
}

extension RequestContext {
    static func from(_ handle: OpaquePointer?) -> RequestContext {
        Unmanaged<RequestContext>.fromOpaque(UnsafeRawPointer(handle!)).takeUnretainedValue()
    }
}

/// RFC 9110 token characters (header names, methods).
enum HTTPToken {
    static func isToken(_ bytes: UnsafeRawBufferPointer) -> Bool {
        let table = Self.table  // once, not once per byte
        return bytes.allSatisfy { table[Int($0)] }
    }

    /// One lookup per byte: header names are checked for every header a plugin adds.
    private static let table: [Bool] = (0...255).map { value in
        let byte = UInt8(value)
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return "!#$%&'*+-.^_`|~".utf8.contains(byte)
        }
    }
}
