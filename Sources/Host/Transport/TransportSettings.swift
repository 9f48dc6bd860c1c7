import Synchronization

/// Limits and timeouts of the HTTP transport (from `[limits]`).
struct TransportSettings: Sendable {
    var limits = HTTPLimits()
    var headerTimeoutMilliseconds: UInt64 = 10_000
    /// A body must arrive whole within this long after its head, however slowly it trickles.
    var bodyTimeoutMilliseconds: UInt64 = 30_000
    /// A deferred response not finished within this long is answered 504.
    var pendingTimeoutMilliseconds: UInt64 = 600_000
    /// Unsent bytes a streamed response's client may fall behind by (writes answer BUSY beyond).
    var streamQueueBytes = 1 << 20
    var idleTimeoutMilliseconds: UInt64 = 60_000
    /// How long an error response's connection keeps draining input before it closes.
    var lingerMilliseconds: UInt64 = 2_000
    var maxConnections = 10_000
    var maxConnectionsPerAddress = 256
    var connectionCapExempt: [String] = []
    /// Unsent response bytes after which a connection stops parsing and reading pipelined
    /// requests until the client reads (a client that never reads cannot grow our memory).
    var maxOutputBacklogBytes = 256 * 1024
    var webSocketMaxMessageBytes = 1 << 20
    var webSocketSendQueueBytes = 1 << 20
    var webSocketPingIntervalMilliseconds: UInt64 = 30_000
    /// Received messages a connection may have waiting for workers before it stops being read.
    var webSocketInboundMessages = 32
    /// Bytes of received messages waiting for workers, across the server, before every
    /// connection that sends more is paused until they drain.
    var webSocketInboundTotalBytes = 64 << 20
}

/// What every event loop shares: the pipeline, the workers and the connection count.
final class TransportContext: Sendable {
    let settings: TransportSettings
    let pipeline: Pipeline
    let workers: WorkerPool
    let logger: Logger
    let webSockets: WebSocketDirectory
    let counters: TransportCounters
    let connectionsPerAddress: ConnectionsPerAddress
    let inboundLimits: InboundLimits

    init(settings: TransportSettings, pipeline: Pipeline, workers: WorkerPool, logger: Logger,
         webSockets: WebSocketDirectory, counters: TransportCounters) {
        self.webSockets = webSockets
        self.counters = counters
        connectionsPerAddress = ConnectionsPerAddress(limit: settings.maxConnectionsPerAddress,
                                                      exempt: settings.connectionCapExempt)
        inboundLimits = InboundLimits(messagesPerConnection: settings.webSocketInboundMessages,
                                      bytesPerConnection: settings.webSocketMaxMessageBytes,
                                      bytesInTotal: settings.webSocketInboundTotalBytes)
        self.settings = settings
        self.pipeline = pipeline
        self.workers = workers
        self.logger = logger
    }
}
