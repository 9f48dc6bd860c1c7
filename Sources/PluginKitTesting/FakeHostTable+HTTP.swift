import Foundation
import PluginABI

extension FakeHostTable {
    static func http() -> pattern_http_api {
        var api = sized(pattern_http_api(), through: \.may_block)
        api.add_route = { plugin, route in
            FakeHostTable.registering { host in
                guard let route, let name = host.pluginName(plugin), route.pointee.handler != nil else { return PATTERN_INVALID }
                let raw = route.pointee
                let method = raw.method.text, path = raw.path.text
                guard !method.isEmpty, path.hasPrefix("/") else { return PATTERN_INVALID }
                let registered = RegisteredRoute(
                    plugin: name, method: method, template: PinnedBytes(path),
                    handler: Callback(function: raw.handler, userdata: raw.userdata), flags: raw.flags,
                    permission: PinnedBytes(raw.permission.text), openAPI: raw.openapi.text)
                host.state.withLock { $0.routes.append(registered) }
                return PATTERN_OK
            }
        }
        api.add_middleware = { plugin, middleware in
            FakeHostTable.registering { host in
                guard let middleware, let name = host.pluginName(plugin), middleware.pointee.run != nil,
                      (0..<PATTERN_PHASE_COUNT).contains(middleware.pointee.phase) else { return PATTERN_INVALID }
                let raw = middleware.pointee
                let registered = RegisteredMiddleware(plugin: name, phase: raw.phase, order: raw.order,
                                                      run: Callback(function: raw.run, userdata: raw.userdata))
                host.state.withLock { $0.middleware.append(registered) }
                return PATTERN_OK
            }
        }
        api.method = { TestExchange.from($0).method.str }
        api.path = { TestExchange.from($0).path.str }
        api.query = { TestExchange.from($0).query.str }
        api.route_template = { TestExchange.from($0).route?.template.str ?? FakeHostTable.empty }
        api.request_id = { TestExchange.from($0).requestID.str }
        api.client_ip = { TestExchange.from($0).clientIP.str }
        api.body = { TestExchange.from($0).body.str }
        api.header = { request, name, value in
            guard let found = TestExchange.from(request).header(named: name.text) else { return PATTERN_NOT_FOUND }
            value?.pointee = found.str
            return PATTERN_OK
        }
        api.header_count = { TestExchange.from($0).headers.count }
        api.header_at = { request, index, name, value in
            let headers = TestExchange.from(request).headers
            guard index < headers.count else { return PATTERN_NOT_FOUND }
            name?.pointee = headers[index].name.str
            value?.pointee = headers[index].value.str
            return PATTERN_OK
        }
        api.path_param = { request, name, value in
            guard let found = TestExchange.from(request).pathParameters[name.text] else { return PATTERN_NOT_FOUND }
            value?.pointee = found.str
            return PATTERN_OK
        }
        api.query_param = { request, name, value in
            let exchange = TestExchange.from(request)
            switch exchange.queryParameter(name.text) {
            case nil: return PATTERN_NOT_FOUND
            case .failure: return PATTERN_INVALID
            case .success(let text):
                let pinned = PinnedBytes(text)
                exchange.state.withLock { $0.lent.append(pinned) }
                value?.pointee = pinned.str
                return PATTERN_OK
            }
        }
        api.route_flags = { TestExchange.from($0).route?.flags ?? 0 }
        api.route_permission = { TestExchange.from($0).route?.permission.str ?? FakeHostTable.empty }
        api.set_principal = { request, principal in
            guard let principal else { return PATTERN_INVALID }
            let pinned = PinnedPrincipal(copying: principal)
            TestExchange.from(request).state.withLock { $0.principal = pinned }
            return PATTERN_OK
        }
        api.get_principal = { request, out in
            guard let out else { return PATTERN_INVALID }
            guard let principal = TestExchange.from(request).state.withLock({ $0.principal }) else {
                return PATTERN_NOT_FOUND
            }
            principal.lend(to: out)
            return PATTERN_OK
        }
        api.set_attribute = { request, key, value in
            let pinned = PinnedBytes(value.bytes)
            TestExchange.from(request).state.withLock { $0.attributes[key.text] = pinned }
            return PATTERN_OK
        }
        api.get_attribute = { request, key, value in
            guard let found = TestExchange.from(request).state.withLock({ $0.attributes[key.text] }) else {
                return PATTERN_NOT_FOUND
            }
            value?.pointee = found.str
            return PATTERN_OK
        }
        api.set_status = { request, status in
            guard (100...599).contains(status) else { return PATTERN_INVALID }
            TestExchange.from(request).state.withLock { $0.status = status }
            return PATTERN_OK
        }
        api.add_header = { request, name, value in
            TestExchange.from(request).state.withLock { $0.responseHeaders.append((name.text, value.text)) }
            return PATTERN_OK
        }
        api.write_body = { request, bytes in
            TestExchange.from(request).state.withLock { $0.responseBody.append(contentsOf: bytes.bytes) }
            return PATTERN_OK
        }
        api.respond_error = { request, status, type, message, fields in
            FakeHostTable.respondError(TestExchange.from(request), status, type, message, fields)
        }
        api.response_status = { request in TestExchange.from(request).state.withLock { $0.status } }
        api.response_body_size = { request in
            TestExchange.from(request).state.withLock { $0.responseBody.count }
        }
        api.elapsed_seconds = { request in Double(TestExchange.from(request).elapsedNanoseconds) / 1e9 }
        api.exchange_summary = { request, out in
            guard let out else { return PATTERN_INVALID }
            let exchange = TestExchange.from(request)
            var summary = pattern_exchange_summary()
            summary.struct_size = min(out.pointee.struct_size, UInt32(MemoryLayout<pattern_exchange_summary>.size))
            exchange.state.withLock { state in
                summary.status = state.status
                summary.response_body_size = UInt64(state.responseBody.count)
            }
            summary.method = exchange.method.str
            summary.route_template = exchange.route?.template.str ?? FakeHostTable.empty
            summary.request_body_size = UInt64(exchange.body.count)
            summary.elapsed_nanoseconds = exchange.elapsedNanoseconds
            withUnsafeBytes(of: summary) { source in
                UnsafeMutableRawPointer(out).copyMemory(from: source.baseAddress!, byteCount: Int(summary.struct_size))
            }
            return PATTERN_OK
        }
        api.`defer` = { request, out in
            guard let out else { return PATTERN_INVALID }
            let exchange = TestExchange.from(request)
            return FakeHostTable.withHost(PATTERN_STATE) { host in
                guard !exchange.state.withLock({ state in
                    defer { state.deferred = true }
                    return state.deferred
                }) else { return PATTERN_STATE }
                let handle = FakeHost.nextHandle()
                host.state.withLock { $0.pending[handle] = exchange }
                out.pointee = handle
                return PATTERN_OK
            }
        }
        // Every callback of the test host runs on the test's thread or a worker: it may block.
        api.may_block = { _ in 1 }
        return api
    }

    /// `respond_error`, for a request and for a deferred response alike.
    static func respondError(_ exchange: TestExchange, _ status: Int32, _ type: pattern_str, _ message: pattern_str,
                             _ fields: pattern_str) -> pattern_status {
        guard (400...599).contains(status) else { return PATTERN_INVALID }
        let fieldsText = fields.text
        if !fieldsText.isEmpty, (try? JSONSerialization.jsonObject(with: Data(fieldsText.utf8))) as? [Any] == nil {
            return PATTERN_INVALID
        }
        let typeText = type.text
        exchange.respondError(status: status, type: typeText.isEmpty ? nil : typeText, message: message.text,
                              fieldsJSON: fieldsText.isEmpty ? nil : fieldsText)
        return PATTERN_OK
    }
}
