import Synchronization

/// Bounds on WebSocket messages received and not yet handled by a worker.
final class InboundLimits: Sendable {
    let messagesPerConnection: Int
    let bytesPerConnection: Int
    let bytesInTotal: Int
    /// Bytes of every connection's waiting messages.
    let pendingBytes = Atomic<Int>(0)

    init(messagesPerConnection: Int, bytesPerConnection: Int, bytesInTotal: Int) {
        self.messagesPerConnection = messagesPerConnection
        self.bytesPerConnection = bytesPerConnection
        self.bytesInTotal = bytesInTotal
    }
}

/// One connection's messages that wait for (or run on) a worker. Over its bound, or the
/// server's, the event loop stops reading the connection, so TCP pushes back on a client that
/// sends faster than its messages are handled: nothing is dropped and nothing queues without
/// end. The worker that brings it back under its bound asks the loop to read again.
final class InboundBacklog: Sendable {
    private let loop: EventLoop
    private let id: WebSocketEndpoint.ConnectionID
    private let limits: InboundLimits
    private let messages = Atomic<Int>(0)
    private let bytes = Atomic<Int>(0)

    init(loop: EventLoop, id: WebSocketEndpoint.ConnectionID, limits: InboundLimits) {
        self.loop = loop
        self.id = id
        self.limits = limits
    }

    var isOverBound: Bool {
        messages.load(ordering: .relaxed) >= limits.messagesPerConnection
            || bytes.load(ordering: .relaxed) >= limits.bytesPerConnection
            || limits.pendingBytes.load(ordering: .relaxed) >= limits.bytesInTotal
    }

    /// A message of `count` bytes was handed to a worker (loop thread).
    func added(_ count: Int) {
        messages.add(1, ordering: .relaxed)
        bytes.add(count, ordering: .relaxed)
        limits.pendingBytes.add(count, ordering: .relaxed)
    }

    /// The worker is done with it (any thread).
    func finished(_ count: Int) {
        let messagesBefore = messages.subtract(1, ordering: .relaxed).oldValue
        let bytesBefore = bytes.subtract(count, ordering: .relaxed).oldValue
        limits.pendingBytes.subtract(count, ordering: .relaxed)
        let wasOver = messagesBefore >= limits.messagesPerConnection || bytesBefore >= limits.bytesPerConnection
        let isUnder = messagesBefore - 1 < limits.messagesPerConnection && bytesBefore - count < limits.bytesPerConnection
        if wasOver && isUnder { loop.post(.webSocketResume(id)) }
    }
}
