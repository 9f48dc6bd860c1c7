import PluginABI
import Synchronization

/// The host's outbound HTTP/1.1 client (ABI 1.4) for Swift plugins: requests run on the
/// host's event loops, so awaiting `send` holds no thread, and the host applies its outbound
/// (SSRF) policy, TLS verification and keep-alive pool. `PluginHost.client` is nil on a host
/// older than 1.4.
public struct HTTPClient: Sendable {
    public struct Request: Sendable {
        public var method: String
        public var url: String
        /// Host, Content-Length, Transfer-Encoding and Connection are the host's.
        public var headers: [(name: String, value: String)]
        public var body: [UInt8]
        /// Milliseconds; 0 takes the host's default (10 s connect, 60 s first byte and idle, no total).
        public var connectTimeout: UInt32 = 0
        public var firstByteTimeout: UInt32 = 0
        public var idleTimeout: UInt32 = 0
        public var totalTimeout: UInt32 = 0
        /// 0: the host's default (16 MiB).
        public var maxResponseBytes: UInt64 = 0
        /// Read as events: an event whose data passes this many bytes ends the call with
        /// `.tooLarge` instead of being buffered. 0: no bound beyond `maxResponseBytes`. ABI 1.6
        /// (an older host ignores it).
        public var maxEventBytes: UInt64 = 0
        public var followRedirects = false

        public init(method: String = "GET", url: String, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
            self.method = method
            self.url = url
            self.headers = headers
            self.body = body
        }
    }

    public struct Response: Sendable {
        public let status: Int
        public let headers: [(name: String, value: String)]
        public let body: [UInt8]

        /// The first value of a header (case-insensitive).
        public func header(_ name: String) -> String? {
            headers.first { $0.name.lowercased() == name.lowercased() }?.value
        }
    }

    /// A server-sent event, whole.
    public struct Event: Sendable, Equatable {
        /// Empty when the stream named none ("message").
        public let name: String
        public let data: String
        public let id: String
    }

    /// How a call ended when it did not deliver a whole response (PATTERN_CLIENT_*).
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public enum Outcome: Int32, Sendable {
            case refused = 100, dns, connect, tls, timeout, tooLarge, `protocol`, cancelled, shutdown
            /// The host refused to start the call (invalid request, stopping, busy).
            case notStarted = -1
        }

        public let outcome: Outcome
        public let message: String
        public var description: String { "outbound call failed (\(outcome)): \(message)" }
    }

    /// A call in progress, for streaming callers.
    public struct Call: Sendable {
        public let id: UInt64
        let api: ClientTable

        /// Ends it early; the completion follows with `.cancelled`. False when it had completed.
        @discardableResult
        public func cancel() -> Bool { api.raw.pointee.cancel(id) == PATTERN_OK }

        /// Stops (true) or restarts delivery; the host stops reading from the peer meanwhile.
        @discardableResult
        public func pause(_ paused: Bool) -> Bool { api.raw.pointee.pause(id, paused ? 1 : 0) == PATTERN_OK }
    }

    /// What a streaming call reports, on worker threads, one at a time and in order.
    public struct Handlers: Sendable {
        public var head: (@Sendable (Call, Int, [(name: String, value: String)]) -> Void)?
        public var data: (@Sendable (Call, [UInt8]) -> Void)?
        /// Set to read a 2xx text/event-stream body as events (any other body comes to `data`).
        public var event: (@Sendable (Call, Event) -> Void)?
        /// Exactly once: nil when the whole response arrived.
        public var complete: @Sendable (Call, Failure?) -> Void

        public init(head: (@Sendable (Call, Int, [(name: String, value: String)]) -> Void)? = nil,
                    data: (@Sendable (Call, [UInt8]) -> Void)? = nil, event: (@Sendable (Call, Event) -> Void)? = nil,
                    complete: @escaping @Sendable (Call, Failure?) -> Void)
        {
            self.head = head
            self.data = data
            self.event = event
            self.complete = complete
        }
    }

    let api: ClientTable

    /// Sends `request` and returns the whole response; throws `Failure` for anything else.
    /// Cancelling the task cancels the call.
    public func send(_ request: Request) async throws(Failure) -> Response {
        let started = Mutex<Call?>(nil)
        let result: Result<Response, Failure> = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let call = send(request) { continuation.resume(returning: $0) }
                started.withLock { $0 = call }
                if Task.isCancelled { call?.cancel() }
            }
        } onCancel: {
            started.withLock { $0 }?.cancel()
        }
        return try result.get()
    }

    /// Sends `request` and calls `completion` exactly once with the whole response or why there
    /// is none: on a worker thread, or on this one (before returning nil) when the host refuses
    /// to start the call. For plugins that wait without tasks (deferred responses, timers).
    @discardableResult
    public func send(_ request: Request, completion: @escaping @Sendable (Result<Response, Failure>) -> Void) -> Call? {
        let collected = Mutex<(status: Int, headers: [(name: String, value: String)], body: [UInt8])>((0, [], []))
        let handlers = Handlers(
            head: { _, status, headers in collected.withLock { $0.status = status; $0.headers = headers } },
            data: { _, bytes in collected.withLock { $0.body += bytes } },
            complete: { _, failure in
                if let failure {
                    completion(.failure(failure))
                } else {
                    let whole = collected.withLock { $0 }
                    completion(.success(Response(status: whole.status, headers: whole.headers, body: whole.body)))
                }
            })
        do throws(Failure) {
            return try start(request, handlers)
        } catch {
            completion(.failure(error))
            return nil
        }
    }

    /// Starts `request` and reports it through `handlers` (with `handlers.event` set, a 2xx
    /// text/event-stream body is read as server-sent events). Throws `.notStarted` when the host
    /// refuses it.
    @discardableResult
    public func start(_ request: Request, _ handlers: Handlers) throws(Failure) -> Call {
        let box = Unmanaged.passRetained(CallBox(handlers: handlers, api: api)).toOpaque()
        var storage: [UInt8] = []
        var ranges: [(Range<Int>, Range<Int>)] = []
        for header in request.headers {
            let name = storage.count..<(storage.count + header.name.utf8.count)
            storage += header.name.utf8
            let value = storage.count..<(storage.count + header.value.utf8.count)
            storage += header.value.utf8
            ranges.append((name, value))
        }
        var id: UInt64 = 0
        let status = storage.withUnsafeBufferPointer { buffer -> pattern_status in
            let base = UnsafeRawPointer(buffer.baseAddress).map { $0.assumingMemoryBound(to: CChar.self) }
            let headers = ranges.map { name, value in
                pattern_header(name: pattern_str(ptr: base.map { $0 + name.lowerBound }, len: name.count),
                               value: pattern_str(ptr: base.map { $0 + value.lowerBound }, len: value.count))
            }
            return withABIString(request.method) { method in
                withABIString(request.url) { url in
                    withABIBytes(request.body) { body in
                        headers.withUnsafeBufferPointer { list in
                            var raw = pattern_client_request()
                            raw.struct_size = UInt32(MemoryLayout<pattern_client_request>.size)
                            raw.method = method
                            raw.url = url
                            raw.headers = list.baseAddress
                            raw.header_count = list.count
                            raw.body = body
                            raw.connect_timeout_ms = request.connectTimeout
                            raw.first_byte_timeout_ms = request.firstByteTimeout
                            raw.idle_timeout_ms = request.idleTimeout
                            raw.total_timeout_ms = request.totalTimeout
                            raw.max_response_bytes = request.maxResponseBytes
                            raw.max_event_bytes = request.maxEventBytes
                            raw.flags = (request.followRedirects ? UInt32(PATTERN_CLIENT_FOLLOW_REDIRECTS) : 0)
                                | (handlers.event != nil ? UInt32(PATTERN_CLIENT_EVENTS) : 0)
                            raw.on_head = CallBox.onHead
                            raw.on_data = CallBox.onData
                            raw.on_event = CallBox.onEvent
                            raw.on_complete = CallBox.onComplete
                            raw.userdata = box
                            return api.raw.pointee.start(&raw, &id)
                        }
                    }
                }
            }
        }
        guard status == PATTERN_OK else {
            Unmanaged<CallBox>.fromOpaque(box).release()
            throw Failure(outcome: .notStarted, message: "the host refused to start the call (status \(status))")
        }
        return Call(id: id, api: api)
    }
}

extension PluginHost {
    /// The outbound HTTP client; nil when the host is older than ABI 1.4.
    public var client: HTTPClient? {
        guard let api = table.added(\.client), abiHasField(api.pointee.struct_size, \pattern_client_api.pause)
        else { return nil }
        return HTTPClient(api: ClientTable(raw: api))
    }
}

// @unchecked: the host's client table is immutable and lives as long as the process.
struct ClientTable: @unchecked Sendable {
    let raw: UnsafePointer<pattern_client_api>
}

/// One call's handlers behind the C `userdata`; released after on_complete.
final class CallBox: Sendable {
    let handlers: HTTPClient.Handlers
    let api: ClientTable

    init(handlers: HTTPClient.Handlers, api: ClientTable) {
        self.handlers = handlers
        self.api = api
    }

    static func box(_ userdata: UnsafeMutableRawPointer?) -> CallBox {
        Unmanaged<CallBox>.fromOpaque(userdata!).takeUnretainedValue()
    }

    static let onHead: @convention(c) (UInt64, Int32, UnsafePointer<pattern_header>?, Int, UnsafeMutableRawPointer?) -> Void = {
        id, status, headers, count, userdata in
        let box = box(userdata)
        let list = (0..<count).map { (name: headers![$0].name.string, value: headers![$0].value.string) }
        box.handlers.head?(HTTPClient.Call(id: id, api: box.api), Int(status), list)
    }

    static let onData: @convention(c) (UInt64, pattern_str, UnsafeMutableRawPointer?) -> Void = { id, bytes, userdata in
        let box = box(userdata)
        box.handlers.data?(HTTPClient.Call(id: id, api: box.api), bytes.byteArray)
    }

    static let onEvent: @convention(c) (UInt64, pattern_str, pattern_str, pattern_str, UnsafeMutableRawPointer?) -> Void = {
        id, name, data, eventID, userdata in
        let box = box(userdata)
        box.handlers.event?(HTTPClient.Call(id: id, api: box.api),
                            HTTPClient.Event(name: name.string, data: data.string, id: eventID.string))
    }

    static let onComplete: @convention(c) (UInt64, Int32, pattern_str, UnsafeMutableRawPointer?) -> Void = {
        id, outcome, message, userdata in
        let box = Unmanaged<CallBox>.fromOpaque(userdata!).takeRetainedValue()
        let failure = outcome == PATTERN_CLIENT_OK
            ? nil
            : HTTPClient.Failure(outcome: HTTPClient.Failure.Outcome(rawValue: outcome) ?? .protocol, message: message.string)
        box.handlers.complete(HTTPClient.Call(id: id, api: box.api), failure)
    }
}
