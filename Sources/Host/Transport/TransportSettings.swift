import Synchronization

/// Limits and timeouts of the HTTP transport (from `[limits]`).
struct TransportSettings: Sendable {
    var limits = HTTPLimits()
    var headerTimeoutMilliseconds: UInt64 = 10_000
    var idleTimeoutMilliseconds: UInt64 = 60_000
    /// How long an error response's connection keeps draining input before it closes.
    var lingerMilliseconds: UInt64 = 2_000
    var maxConnections = 10_000
    var webSocketMaxMessageBytes = 1 << 20
    var webSocketSendQueueBytes = 1 << 20
    var webSocketPingIntervalMilliseconds: UInt64 = 30_000
}

/// What every event loop shares: the pipeline, the workers and the connection count.
final class TransportContext: Sendable {
    let settings: TransportSettings
    let pipeline: Pipeline
    let workers: WorkerPool
    let logger: Logger
    let webSockets: WebSocketDirectory
    let counters: TransportCounters

    init(settings: TransportSettings, pipeline: Pipeline, workers: WorkerPool, logger: Logger,
         webSockets: WebSocketDirectory, counters: TransportCounters) {
        self.webSockets = webSockets
        self.counters = counters
        self.settings = settings
        self.pipeline = pipeline
        self.workers = workers
        self.logger = logger
    }
}
