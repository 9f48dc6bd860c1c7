import Synchronization

/// What a WebSocket route does with its connections: a plugin's callbacks or the host's event
/// socket. Callbacks for one connection never overlap (see `SerialExecutor`).
struct WebSocketEndpoint: Sendable {
    typealias ConnectionID = UInt64

    /// Runs callbacks on the network thread (they promise never to block).
    let isInline: Bool
    /// After the 101; gets the upgrade request while it is still alive.
    let open: @Sendable (ConnectionID, RequestContext) -> Void
    let message: @Sendable (ConnectionID, _ isText: Bool, [UInt8]) -> Void
    let close: @Sendable (ConnectionID, _ code: UInt16) -> Void
}

/// Runs jobs one at a time, in order, on the worker pool: a WebSocket connection's callbacks
/// keep their order without occupying a thread between messages.
final class SerialExecutor: Sendable {
    private let workers: WorkerPool
    private let state = Mutex<(jobs: [WorkerPool.Job], running: Bool)>(([], false))

    init(workers: WorkerPool) {
        self.workers = workers
    }

    func submit(_ job: @escaping WorkerPool.Job) {
        let start = state.withLock { state -> Bool in
            state.jobs.append(job)
            guard !state.running else { return false }
            state.running = true
            return true
        }
        if start { workers.submit { [self] in drain() } }
    }

    private func drain() {
        while let job = state.withLock({ state -> WorkerPool.Job? in
            if state.jobs.isEmpty {
                state.running = false
                return nil
            }
            return state.jobs.removeFirst()
        }) {
            job()
        }
    }
}
