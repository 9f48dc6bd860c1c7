import CShims
import Synchronization

/// Every child process plugins started: handles by id (generation-tagged, never reused), the
/// cap on how many run at once, and their end when the host stops.
final class ChildProcesses: Sendable {
    let maxProcesses: Int
    private let loops: LoopGroup
    private let state = Mutex(State())

    private struct State {
        var children: [UInt64: ChildProcess] = [:]
        /// Children starting or running: what the cap counts.
        var running = 0
        /// Children whose exit callback has not returned yet: what stopping waits for.
        var unfinished = 0
        var lastID: UInt64 = 0
        /// Set when the host stops: the grace each child then gets before SIGTERM and SIGKILL.
        var stopGrace: UInt64?
    }

    init(maxProcesses: Int, loops: LoopGroup) {
        self.maxProcesses = maxProcesses
        self.loops = loops
    }

    /// Starts `launch` for `plugin` on one of the loops. The child is not watched until its
    /// `start()`, so the caller can hand its id out before any callback runs.
    func spawn(_ launch: ProcessLaunch, plugin: String, callbacks: ProcessCallbacks) throws(SpawnError) -> ChildProcess {
        guard let loop = loops.next() else { throw .stopping }
        let id = try state.withLock { state -> Result<UInt64, SpawnError> in
            guard state.stopGrace == nil else { return .failure(.stopping) }
            guard state.running < maxProcesses else { return .failure(.busy) }
            state.running += 1
            state.unfinished += 1
            state.lastID += 1
            return .success(state.lastID)
        }.get()
        let started: shim_child
        do {
            started = try launch.start()
        } catch {
            state.withLock { state in
                state.running -= 1
                state.unfinished -= 1
            }
            throw error
        }
        let child = ChildProcess(id: id, started: started, launch: launch, plugin: plugin, loop: loop,
                                 callbacks: callbacks, directory: self)
        let stopGrace = state.withLock { state in
            state.children[id] = child
            return state.stopGrace
        }
        // Started while the host began stopping: it goes the way of the others.
        if let stopGrace { try? child.terminate(graceMilliseconds: stopGrace) }
        return child
    }

    func child(_ id: UInt64) -> ChildProcess? { state.withLock { $0.children[id] } }

    /// Refuses new children and terminates the running ones: stdin closed now, SIGTERM after
    /// `graceMilliseconds`, SIGKILL after as long again.
    func stop(graceMilliseconds: UInt64) {
        let children = state.withLock { state in
            state.stopGrace = graceMilliseconds
            return Array(state.children.values)
        }
        for child in children { try? child.terminate(graceMilliseconds: graceMilliseconds) }
    }

    /// Children whose exit has not been fully delivered to their owners.
    var unfinished: Int { state.withLock { $0.unfinished } }

    /// Loop thread: the child was reaped; its handle is stale and its place under the cap free.
    func reaped(_ child: ChildProcess) {
        state.withLock { state in
            state.children[child.id] = nil
            state.running -= 1
        }
    }

    /// Worker thread: the child's exit callback returned.
    func finished(_ child: ChildProcess) {
        state.withLock { $0.unfinished -= 1 }
    }
}
