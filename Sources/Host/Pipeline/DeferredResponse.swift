import PluginABI
import Synchronization

/// A response its handler detached (ABI 1.4, `http->defer`), finished later from any thread:
/// whole, or streamed (chunked, or Server-Sent Events). The event loop that owns the
/// connection learns what happens through its mailbox; writes wait in `outbox` until the
/// loop takes them, bounded together with the socket's unsent bytes.
// @unchecked: `context` is read and changed only under `state`'s lock until it is handed to
// a worker (head, log) or the loop (serialising); each hand-off is ordered by that lock or a
// queue operation.
final class DeferredResponse: @unchecked Sendable {
    enum Phase: Equatable {
        case pending, streaming, finished, cancelled
    }

    /// A plugin's on_drain / on_cancel, called with the handle's id on a worker.
    typealias Callback = @Sendable (UInt64) -> Void

    let id: UInt64
    let context: RequestContext
    let loop: EventLoop
    let fd: Int32
    let generation: UInt64
    /// Unsent bytes the client may fall behind by (`[limits] stream_queue_bytes`).
    let queueBound: Int
    /// The connection's unsent output as the loop last saw it.
    let socketBacklog = Atomic<Int>(0)
    /// How long an event stream may stay silent before the loop sends a ping comment.
    let pingIntervalMilliseconds = Atomic<UInt64>(15_000)

    private struct State {
        var phase = Phase.pending
        var isEvents = false
        var outbox: [UInt8] = []
        var flushPosted = false
        var drainWanted = false
        var onDrain: Callback?
        var onCancel: Callback?
    }

    private let state = Mutex(State())
    private let registry: DeferredResponses

    init(id: UInt64, context: RequestContext, origin: RequestOrigin, queueBound: Int, registry: DeferredResponses) {
        self.id = id
        self.context = context
        loop = origin.loop
        fd = origin.fd
        generation = origin.generation
        self.queueBound = queueBound
        self.registry = registry
    }

    var phase: Phase { state.withLock { $0.phase } }
    var isEvents: Bool { state.withLock { $0.isEvents } }
    /// Whether the body goes out in chunks (HTTP/1.1) or until the connection closes (1.0).
    var isChunked: Bool { context.head.version == .http11 }
    private var pipeline: Pipeline { loop.context.pipeline }
    private var workers: WorkerPool { loop.context.workers }

    // MARK: Before the head

    /// Changes the response before its head is sent (status, headers, error body, body).
    func edit(_ change: (RequestContext) -> pattern_status) -> pattern_status {
        state.withLock { state in
            guard state.phase == .pending else { return PATTERN_STATE }
            return change(context)
        }
    }

    func setCallbacks(onDrain: Callback?, onCancel: Callback?) {
        state.withLock { state in
            state.onDrain = onDrain
            state.onCancel = onCancel
        }
    }

    // MARK: Streaming

    /// Sends the head now; with `events`, as Server-Sent Events.
    func begin(events: Bool, pingIntervalMilliseconds ping: UInt64 = 0) -> pattern_status {
        if ping > 0 { pingIntervalMilliseconds.store(ping, ordering: .relaxed) }
        let begun = state.withLock { state -> Bool in
            guard state.phase == .pending else { return false }
            state.phase = .streaming
            state.isEvents = events
            if events {
                context.response.removeHeaders(named: ResponseDraft.contentType)
                context.response.addHeader("Content-Type", "text/event-stream")
                context.response.addHeader("Cache-Control", "no-cache")
                context.response.addHeader("X-Accel-Buffering", "no")
            }
            if context.response.status == 0 { context.response.status = 200 }
            return true
        }
        guard begun else { return PATTERN_STATE }
        let (pipeline, exchange, loop) = (pipeline, context, loop)
        continueExchange { [self] in
            pipeline.finishHead(exchange)
            loop.deliver(.streamHead(self))
        }
        return PATTERN_OK
    }

    /// Queues body bytes of a stream; BUSY (nothing taken) when the client is too far behind.
    func write(_ bytes: UnsafeRawBufferPointer, asEvent: Bool) -> pattern_status {
        let post = state.withLock { state -> pattern_status? in
            guard state.phase == .streaming, state.isEvents == asEvent else {
                if state.phase == .pending && !asEvent {
                    context.response.body.append(contentsOf: bytes)
                    return PATTERN_OK
                }
                return PATTERN_STATE
            }
            guard !bytes.isEmpty else { return PATTERN_OK }
            let behind = socketBacklog.load(ordering: .relaxed) + state.outbox.count
            if behind > 0 && behind + bytes.count > queueBound {
                state.drainWanted = true
                return PATTERN_BUSY
            }
            if context.isHead { return PATTERN_OK }
            if isChunked { StreamFraming.appendChunk(bytes, to: &state.outbox) } else { state.outbox += bytes }
            guard !state.flushPosted else { return PATTERN_OK }
            state.flushPosted = true
            return nil
        }
        if let post { return post }
        loop.deliver(.streamFlush(self))
        return PATTERN_OK
    }

    /// The loop takes what was written; nil when the response is over and nothing is left.
    func takeOutbox() -> (bytes: [UInt8], finished: Bool) {
        state.withLock { state in
            state.flushPosted = false
            let bytes = state.outbox
            state.outbox = []
            return (bytes, state.phase == .finished)
        }
    }

    /// The loop wrote to the socket: a writer waiting for room hears of it once there is some.
    func socketDrained(backlog: Int) {
        socketBacklog.store(backlog, ordering: .relaxed)
        let onDrain = state.withLock { state -> Callback? in
            guard state.drainWanted, backlog + state.outbox.count <= queueBound / 2 else { return nil }
            state.drainWanted = false
            return state.onDrain
        }
        if let onDrain { workers.submit { [id] in onDrain(id) } }
    }

    // MARK: The end

    /// Finishes the response: sent whole when pending, ended when streaming.
    func finish() -> pattern_status {
        let previous = state.withLock { state -> Phase in
            let phase = state.phase
            guard phase == .pending || phase == .streaming else { return phase }
            state.phase = .finished
            // As for a handler that sets no status: 200 with a body, 204 without.
            if !context.response.isSet { context.response.status = context.response.body.isEmpty ? 204 : 200 }
            if phase == .streaming && isChunked && !context.isHead { state.outbox += StreamFraming.lastChunk }
            if phase == .streaming { state.flushPosted = true }
            return phase
        }
        registry.remove(id)
        switch previous {
        case .pending:
            let (pipeline, exchange, loop) = (pipeline, context, loop)
            let (fd, generation) = (fd, generation)
            continueExchange {
                pipeline.finishHead(exchange)
                pipeline.observe(exchange)
                loop.deliver(.completed(fd: fd, generation: generation, exchange))
            }
        case .streaming:
            loop.deliver(.streamFlush(self))
        case .finished, .cancelled:
            return PATTERN_NOT_FOUND
        }
        return PATTERN_OK
    }

    /// The plugin gives up (its source failed): the connection closes without the body's end,
    /// so the client cannot take a truncated stream for a whole one.
    func abort() -> pattern_status {
        let aborted = state.withLock { state -> Bool in
            guard state.phase == .pending || state.phase == .streaming else { return false }
            if state.phase == .pending { context.response.status = 502 }
            state.phase = .cancelled
            state.outbox = []
            return true
        }
        guard aborted else { return PATTERN_NOT_FOUND }
        registry.remove(id)
        let (fd, generation, pipeline, exchange) = (fd, generation, pipeline, context)
        loop.deliver(.run { loop in
            if let connection = loop.connection(fd), connection.generation == generation { loop.closeConnection(connection) }
        })
        continueExchange { pipeline.observe(exchange) }
        return PATTERN_OK
    }

    /// Runs the exchange's remaining phases (RESPONSE, LOG: middleware): on the loop, after
    /// the current event, when the plugin calls from the loop's thread (ABI 1.5 inline work)
    /// and every middleware may run there; else on a worker, as a middleware may block.
    private func continueExchange(_ work: @escaping @Sendable () -> Void) {
        if pipeline.middlewareIsInline && loop.isCurrent {
            loop.deliver(.run { _ in work() })
        } else {
            workers.submit(work)
        }
    }

    /// The pending deadline passed before the plugin finished: 504, and the handle is stale.
    func expire() {
        let expired = state.withLock { state -> Callback?? in
            guard state.phase == .pending else { return .none }
            state.phase = .finished
            context.respondError(504, "The response was not ready in time.")
            return .some(state.onCancel)
        }
        guard case .some(let onCancel) = expired else { return }
        registry.remove(id)
        let (pipeline, exchange, loop, id) = (pipeline, context, loop, id)
        let (fd, generation) = (fd, generation)
        workers.submit {
            onCancel?(id)
            pipeline.finishHead(exchange)
            pipeline.observe(exchange)
            loop.post(.completed(fd: fd, generation: generation, exchange))
        }
    }

    /// The response can no longer be finished (client gone, shutdown): the plugin hears of it,
    /// and observers see the exchange end (499 when no head was sent, as nginx logs it).
    func cancel() {
        let onCancel = state.withLock { state -> Callback?? in
            guard state.phase == .pending || state.phase == .streaming else { return .none }
            if state.phase == .pending { context.response.status = 499 }
            state.phase = .cancelled
            state.outbox = []
            return .some(state.onCancel)
        }
        guard case .some(let callback) = onCancel else { return }
        registry.remove(id)
        let (pipeline, exchange, id) = (pipeline, context, id)
        workers.submit {
            callback?(id)
            pipeline.observe(exchange)
        }
    }
}

/// Where a worker-run request came from, so a deferred response can find its connection.
struct RequestOrigin {
    let loop: EventLoop
    let fd: Int32
    let generation: UInt64
}
