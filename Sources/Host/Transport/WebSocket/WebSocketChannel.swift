/// A connection after its upgrade: the protocol state, the endpoint it talks to, and the
/// bookkeeping for pings and the close handshake. Owned by the event loop's thread.
final class WebSocketChannel {
    let id: WebSocketEndpoint.ConnectionID
    let endpoint: WebSocketEndpoint
    var session: WebSocketSession
    /// Serialises the endpoint's callbacks when they run on workers.
    let executor: SerialExecutor?
    /// Received messages not yet handled by a worker.
    let inbound: InboundBacklog
    /// Monotonic ms of the last frame received (for idle pings).
    var lastReceived: UInt64
    /// Monotonic ms of the ping awaiting a pong, 0 when none.
    var pingSentAt: UInt64 = 0
    var closeSent = false
    /// Unix seconds when the credential that opened the connection expires, 0 = never.
    var expiresAt: Int64 = 0
    var closeNotified = false

    init(id: WebSocketEndpoint.ConnectionID, endpoint: WebSocketEndpoint, maxMessageBytes: Int, workers: WorkerPool,
         inbound: InboundBacklog, now: UInt64) {
        self.id = id
        self.endpoint = endpoint
        self.inbound = inbound
        session = WebSocketSession(maxMessageBytes: maxMessageBytes)
        executor = endpoint.isInline ? nil : SerialExecutor(workers: workers)
        lastReceived = now
    }

    /// Runs an endpoint callback in order with the others: inline, or on the executor.
    func deliver(_ job: @escaping WorkerPool.Job) {
        if let executor { executor.submit(job) } else { job() }
    }

    /// Delivers a received message, counted against the inbound bound while a worker has it.
    func deliverMessage(byteCount: Int, _ job: @escaping WorkerPool.Job) {
        guard let executor else { return job() }
        let inbound = inbound
        inbound.added(byteCount)
        executor.submit {
            job()
            inbound.finished(byteCount)
        }
    }

    /// Tells the endpoint the connection is gone, once.
    func notifyClosed(code: UInt16) {
        guard !closeNotified else { return }
        closeNotified = true
        let endpoint = endpoint
        let id = id
        deliver { endpoint.close(id, code) }
    }
}
