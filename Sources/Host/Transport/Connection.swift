/// One client connection's state, owned by its event loop's thread.
final class Connection {
    enum State {
        /// Waiting for (more of) a request head.
        case readingHead
        /// The head is parsed; waiting for body bytes.
        case readingBody(HTTPRequestHead, ChunkedBodyDecoder?)
        /// A worker runs the request; input is paused until its response is written.
        case processing
        /// The last response asked to close: write it out, then close.
        case closingAfterWrite
        /// Half-closed after an error response; discarding input briefly so the client reads the
        /// response before the socket closes (a close with unread input would reset it).
        case lingering
        /// Upgraded: frames are handled by `webSocket`.
        case webSocket
    }

    let fd: Int32
    let generation: UInt64
    let client: ClientAddress
    var input = InputBuffer(capacity: 4096)
    var output: [UInt8] = []
    var outputSent = 0
    var state = State.readingHead
    /// The head of a chunked request, moved out of `input` so framing bytes can be dropped as
    /// they are decoded (a body of one-byte chunks must not keep its framing in memory).
    var chunkedHead: [UInt8] = []
    /// Decoded bytes of a chunked body in progress.
    var chunkedBody: [UInt8] = []
    var sentContinue = false
    /// When the current phase (head, body, idle, lingering) times out, in monotonic ms.
    var deadline: UInt64 = 0
    /// Monotonic ns when the current request's first byte arrived (0 when idle).
    var requestStartedAt: UInt64 = 0
    var wantsWritable = false
    /// The epoll events registered for the socket, so an unchanged interest costs no syscall.
    var registeredEvents: UInt32 = 0
    /// Not reading: a worker has the request, the output backlog is over its bound, or the
    /// input buffer is full (see `EventLoop.mayRead`).
    var readingPaused = false
    /// Input arrived after the last response (which closes) and was dropped unread: closing now
    /// would reset the connection, so it lingers instead.
    var discardedInput = false
    /// Counted against its address's connection cap (not exempt).
    var countedPerAddress = false
    /// Set once the connection has been upgraded to WebSocket.
    var webSocket: WebSocketChannel?
    /// The deferred or streamed response this connection is waiting for or sending (ABI 1.4).
    var stream: DeferredResponse?
    var streamHeadSent = false
    /// Monotonic ms of the stream's last bytes (Server-Sent Events ping when idle).
    var streamLastWrite: UInt64 = 0

    init(fd: Int32, generation: UInt64, client: ClientAddress) {
        self.fd = fd
        self.generation = generation
        self.client = client
    }

    deinit { input.deallocate() }

    var hasPendingOutput: Bool { outputSent < output.count }
    var outputBacklog: Int { output.count - outputSent }
}
