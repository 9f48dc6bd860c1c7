import Dispatch
import PluginABI

/// Deferred and streamed responses, timers, and the outbound client and child processes the
/// test host does not provide. A deferred response is finished into the exchange the test
/// waits on; a stream's bytes and events are collected into its body as they would be sent.
extension FakeHostTable {
    /// The pending exchange behind a response handle, or nil when the handle is stale.
    private static func pending(_ response: pattern_response) -> TestExchange? {
        FakeHostTable.withHost(nil) { host in host.state.withLock { $0.pending[response] } }
    }

    private static func onPending(_ response: pattern_response, _ body: (inout TestExchange.ExchangeState) -> pattern_status)
        -> pattern_status {
        guard let exchange = FakeHostTable.pending(response) else { return PATTERN_NOT_FOUND }
        return exchange.state.withLock { body(&$0) }
    }

    /// Ends a pending response: the test waiting on it goes on.
    private static func end(_ response: pattern_response, aborted: Bool) -> pattern_status {
        guard let exchange = FakeHostTable.withHost(nil, { host in host.state.withLock { $0.pending.removeValue(forKey: response) } }) else {
            return PATTERN_NOT_FOUND
        }
        exchange.state.withLock { $0.aborted = aborted }
        exchange.finished.signal()
        return PATTERN_OK
    }

    static func responses() -> pattern_responses_api {
        var api = sized(pattern_responses_api(), through: \.abort)
        api.set_status = { response, status in
            guard (100...599).contains(status), status != 101 else { return PATTERN_INVALID }
            return FakeHostTable.onPending(response) { state in
                guard !state.streaming else { return PATTERN_STATE }
                state.status = status
                return PATTERN_OK
            }
        }
        api.add_header = { response, name, value in
            FakeHostTable.onPending(response) { state in
                guard !state.streaming else { return PATTERN_STATE }
                state.responseHeaders.append((name.text, value.text))
                return PATTERN_OK
            }
        }
        api.write = { response, bytes in
            FakeHostTable.onPending(response) { state in
                state.responseBody.append(contentsOf: bytes.bytes)
                return PATTERN_OK
            }
        }
        api.respond_error = { response, status, type, message, fields in
            guard let exchange = FakeHostTable.pending(response) else { return PATTERN_NOT_FOUND }
            guard !exchange.state.withLock({ $0.streaming }) else { return PATTERN_STATE }
            return FakeHostTable.respondError(exchange, status, type, message, fields)
        }
        api.begin_stream = { response in
            FakeHostTable.onPending(response) { state in
                guard !state.streaming else { return PATTERN_STATE }
                state.streaming = true
                if state.status == 0 { state.status = 200 }
                return PATTERN_OK
            }
        }
        api.begin_events = { response, _ in
            FakeHostTable.onPending(response) { state in
                guard !state.streaming else { return PATTERN_STATE }
                state.streaming = true
                if state.status == 0 { state.status = 200 }
                state.responseHeaders.append(("Content-Type", "text/event-stream"))
                state.responseHeaders.append(("Cache-Control", "no-cache"))
                return PATTERN_OK
            }
        }
        api.send_event = { response, event, data, id in
            let name = event.text, identifier = id.text
            guard !name.contains(where: \.isNewline), !identifier.contains(where: \.isNewline) else { return PATTERN_INVALID }
            var frame = name.isEmpty ? "" : "event: \(name)\n"
            for line in data.text.split(separator: "\n", omittingEmptySubsequences: false) { frame += "data: \(line)\n" }
            if !identifier.isEmpty { frame += "id: \(identifier)\n" }
            frame += "\n"
            return FakeHostTable.onPending(response) { state in
                guard state.streaming else { return PATTERN_STATE }
                state.responseBody.append(contentsOf: frame.utf8)
                return PATTERN_OK
            }
        }
        api.finish = { FakeHostTable.end($0, aborted: false) }
        api.set_callbacks = { response, _, _, _ in FakeHostTable.pending(response) == nil ? PATTERN_NOT_FOUND : PATTERN_OK }
        api.abort = { FakeHostTable.end($0, aborted: true) }
        return api
    }

    /// Timers fire on a background queue, as the host's fire on workers, while their host is
    /// active and they are not cancelled.
    static func timers() -> pattern_timer_api {
        var api = sized(pattern_timer_api(), through: \.cancel)
        api.start = { delay, interval, function, userdata, out in
            guard let function, let out else { return PATTERN_INVALID }
            return FakeHostTable.withHost(PATTERN_STATE) { host in
                let timer = FakeHost.nextHandle()
                host.state.withLock { _ = $0.timers.insert(timer) }
                out.pointee = timer
                FakeHostTable.schedule(timer, after: delay, every: interval, Callback(function: function, userdata: userdata), on: host)
                return PATTERN_OK
            }
        }
        api.cancel = { timer in
            FakeHostTable.withHost(PATTERN_NOT_FOUND) { host in
                host.state.withLock { $0.timers.remove(timer) } == nil ? PATTERN_NOT_FOUND : PATTERN_OK
            }
        }
        return api
    }

    private static func schedule(_ timer: pattern_timer, after milliseconds: UInt64, every interval: UInt64,
                                 _ callback: Callback<pattern_timer_fn>, on host: FakeHost) {
        DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(Int(min(milliseconds, 1 << 40)))) {
            guard FakeHost.active === host, host.state.withLock({ $0.timers.contains(timer) }) else { return }
            callback.function?(timer, callback.userdata)
            if interval > 0 {
                FakeHostTable.schedule(timer, after: interval, every: interval, callback, on: host)
            } else {
                host.state.withLock { _ = $0.timers.remove(timer) }
            }
        }
    }

    /// No network in unit tests: outbound calls are refused before they start.
    static func client() -> pattern_client_api {
        var api = sized(pattern_client_api(), through: \.pause)
        api.start = { _, _ in PATTERN_UNSUPPORTED }
        api.cancel = { _ in PATTERN_NOT_FOUND }
        api.pause = { _, _ in PATTERN_NOT_FOUND }
        return api
    }

    /// No child processes in unit tests.
    static func process() -> pattern_process_api {
        var api = sized(pattern_process_api(), through: \.terminate)
        api.spawn = { _, _, _ in PATTERN_UNSUPPORTED }
        api.write = { _, _ in PATTERN_NOT_FOUND }
        api.close_stdin = { _ in PATTERN_NOT_FOUND }
        api.signal = { _, _ in PATTERN_NOT_FOUND }
        api.terminate = { _, _ in PATTERN_NOT_FOUND }
        return api
    }
}
