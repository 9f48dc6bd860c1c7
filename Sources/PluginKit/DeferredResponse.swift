import PluginABI

/// A response finished after its handler returned (ABI 1.4): the handler calls
/// `request.deferResponse()`, hands this to whatever does the waiting (a timer, an outbound
/// call), and returns `.deferred`; its worker is free meanwhile. Any thread may then finish
/// it whole, or stream it (`beginStream`/`write`, or Server-Sent Events with `beginEvents`/
/// `send`). Once it is stale (finished, client gone, 504 after the pending deadline) every
/// call answers `false` / `.gone`.
public struct DeferredResponse: Sendable {
    public let id: UInt64
    let api: ResponsesTable

    /// What a write to a stream did.
    public enum Write: Sendable, Equatable {
        case sent
        /// The client is too far behind: nothing was taken; write again after `onDrain`.
        case busy
        /// The response is over (finished, cancelled or timed out).
        case gone
        /// Not allowed now (e.g. `send` before `beginEvents`), or a malformed event.
        case refused
    }

    /// Sends `response` whole and ends.
    @discardableResult
    public func finish(_ response: Response) -> Bool {
        let table = api.raw.pointee
        _ = table.set_status(id, Int32(response.status))
        for header in response.headers {
            _ = withABIString(header.name) { name in withABIString(header.value) { table.add_header(id, name, $0) } }
        }
        if !response.body.isEmpty { _ = withABIBytes(response.body) { table.write(id, $0) } }
        return table.finish(id) == PATTERN_OK
    }

    /// Sends the standard error body and ends.
    @discardableResult
    public func finish(_ error: HTTPError) -> Bool {
        let table = api.raw.pointee
        let fields = error.fieldsJSON
        _ = withABIString(error.type) { type in
            withABIString(error.message) { message in
                withABIString(fields) { table.respond_error(id, Int32(error.status), type, message, $0) }
            }
        }
        for header in error.headers {
            _ = withABIString(header.name) { name in withABIString(header.value) { table.add_header(id, name, $0) } }
        }
        return table.finish(id) == PATTERN_OK
    }

    /// Sends the head (status, headers) now; later `write`s stream as they come.
    @discardableResult
    public func beginStream(status: Int = 200, headers: [(name: String, value: String)] = []) -> Bool {
        setHead(status, headers)
        return api.raw.pointee.begin_stream(id) == PATTERN_OK
    }

    /// Starts a Server-Sent Events stream (pinged when idle for `pingInterval` ms, 0 = 15 s).
    @discardableResult
    public func beginEvents(pingIntervalMilliseconds: UInt32 = 0, headers: [(name: String, value: String)] = []) -> Bool {
        setHead(200, headers)
        return api.raw.pointee.begin_events(id, pingIntervalMilliseconds) == PATTERN_OK
    }

    public func write(_ bytes: [UInt8]) -> Write {
        Self.write(withABIBytes(bytes) { api.raw.pointee.write(id, $0) })
    }

    /// One Server-Sent Event (`data` may hold several lines).
    public func send(event: String = "", data: String, id eventID: String = "") -> Write {
        Self.write(withABIString(event) { name in
            withABIString(data) { text in withABIString(eventID) { api.raw.pointee.send_event(id, name, text, $0) } }
        })
    }

    /// Ends a stream (or sends a deferred response as it stands).
    @discardableResult
    public func end() -> Bool { api.raw.pointee.finish(id) == PATTERN_OK }

    /// Ends the response as failed (its source broke part-way): the connection closes without
    /// the body's end, so the client sees a truncated response, never a complete one.
    @discardableResult
    public func abort() -> Bool { api.raw.pointee.abort(id) == PATTERN_OK }

    /// `onDrain` after a write answered `.busy`, once there is room; `onCancel` once, when the
    /// response can no longer be finished. Both on worker threads.
    public func observe(onDrain: (@Sendable () -> Void)? = nil, onCancel: (@Sendable () -> Void)? = nil) {
        let box = Unmanaged.passRetained(ClosureBox(Callbacks(drain: onDrain, cancel: onCancel))).toOpaque()
        _ = api.raw.pointee.set_callbacks(id, { _, userdata in
            Unmanaged<ClosureBox<Callbacks>>.fromOpaque(userdata!).takeUnretainedValue().value.drain?()
        }, { _, userdata in
            // Cancellation is the last callback: the box is released with it.
            Unmanaged<ClosureBox<Callbacks>>.fromOpaque(userdata!).takeRetainedValue().value.cancel?()
        }, box)
    }

    private struct Callbacks: Sendable {
        let drain: (@Sendable () -> Void)?
        let cancel: (@Sendable () -> Void)?
    }

    private func setHead(_ status: Int, _ headers: [(name: String, value: String)]) {
        let table = api.raw.pointee
        _ = table.set_status(id, Int32(status))
        for header in headers {
            _ = withABIString(header.name) { name in withABIString(header.value) { table.add_header(id, name, $0) } }
        }
    }

    private static func write(_ status: pattern_status) -> Write {
        switch status {
        case PATTERN_OK: .sent
        case PATTERN_BUSY: .busy
        case PATTERN_NOT_FOUND: .gone
        default: .refused
        }
    }
}

// @unchecked: the host's tables are immutable and live as long as the process.
struct ResponsesTable: @unchecked Sendable {
    let raw: UnsafePointer<pattern_responses_api>
}

extension Request {
    /// Detaches the response from this handler (return `.deferred` from it). Throws 500 on a
    /// host before ABI 1.4, or from middleware, an inline route, or a second call.
    public func deferResponse() throws(HTTPError) -> DeferredResponse {
        var id: UInt64 = 0
        guard let responses, http.pointee.defer(handle, &id) == PATTERN_OK else {
            throw HTTPError(status: 500, type: "internal_error", message: "This response cannot be deferred.")
        }
        return DeferredResponse(id: id, api: ResponsesTable(raw: responses))
    }
}
