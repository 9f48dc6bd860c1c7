import CShims
import Glibc
import Synchronization

/// A plugin's running child. One event loop watches its pidfd and pipes; its owner's callbacks
/// run on workers, one at a time and in order (stdout, drained stdin, and the exit last, once
/// the stdout it wrote before exiting was delivered). Other threads write, close stdin, signal
/// and terminate through it.
// @unchecked: its loop-only state is touched on `loop`'s thread alone; the rest is in `shared`.
final class ChildProcess: @unchecked Sendable {
    enum Refusal: Error {
        /// The stdin queue is full: nothing was taken.
        case busy
        /// Stdin is closed or closing.
        case closed
        /// The child has exited and been reaped.
        case exited
    }

    /// Stdout bytes waiting for the owner's callback beyond which the pipe is not read, so a
    /// child that outruns its owner waits instead of growing the host's memory.
    static let outputBacklogBound = 1 << 20
    static let readSize = 64 * 1024
    /// Reads per readiness report, so one chatty child cannot hold up its loop's other work.
    static let readsPerTurn = 4
    /// What is read after the exit: the child's last words, not a descendant's endless ones.
    static let finalReadBytes = 1 << 20
    static let stderrLineBytes = 4096
    /// Stderr lines a child may log at once, and per second after that: a chatty child cannot
    /// flood the host's log.
    static let stderrBurst = 200
    static let stderrLinesPerSecond = 50

    let id: UInt64
    let pid: Int32
    let plugin: String
    let loop: EventLoop
    private let callbacks: ProcessCallbacks
    private let directory: ChildProcesses
    private let executor: SerialExecutor
    private let logger: Logger
    private let shared = Mutex(Shared())

    private struct Shared {
        var stdin = StdinQueue()
        /// Set under the lock by the reaper: until then the pid (and its group) is still ours.
        var reaped = false
        var outputBacklog = 0
        var outputPaused = false
        var resumePosted = false
    }

    // Loop thread only (other threads get here through `loop.post`); a descriptor is -1 once closed.
    private var pidFD: Int32
    private var stdinFD: Int32
    private var stdoutFD: Int32
    private var stderrFD: Int32
    private var stdinWatched = false
    private var stdoutLines: LineSplitter?
    private var stderrLines = LineSplitter(maxLineBytes: ChildProcess.stderrLineBytes, longLines: .split)
    private var stderrBudget: LogLineBudget
    private var escalation: Escalation?

    /// The next signal of a termination, when it is due, and the wait before the one after.
    private struct Escalation {
        let signal: Int32
        let due: UInt64
        let grace: UInt64
        let timer: TimerQueue.Token
    }

    init(id: UInt64, started: shim_child, launch: ProcessLaunch, plugin: String, loop: EventLoop,
         callbacks: ProcessCallbacks, directory: ChildProcesses) {
        self.id = id
        pid = started.pid
        pidFD = started.pidfd
        stdinFD = started.stdin_fd
        stdoutFD = started.stdout_fd
        stderrFD = started.stderr_fd
        self.plugin = plugin
        self.loop = loop
        self.callbacks = callbacks
        self.directory = directory
        executor = SerialExecutor(workers: loop.context.workers)
        logger = loop.context.logger
        stdoutLines = launch.lines ? LineSplitter(maxLineBytes: launch.maxLineBytes, longLines: .refuse) : nil
        stderrBudget = LogLineBudget(burst: Self.stderrBurst, perSecond: Self.stderrLinesPerSecond,
                                     now: MonotonicClock.milliseconds())
    }

    // MARK: Any thread

    /// Starts watching the child on its loop; callbacks begin only now.
    func start() {
        logger.log(.debug, "child process started", ["plugin": plugin, "pid": String(pid)])
        onLoop { $0.attach() }
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws(Refusal) {
        let admission = shared.withLock { state in state.reaped ? nil : state.stdin.enqueue(bytes) }
        switch admission {
        case nil: throw .exited
        case .busy: throw .busy
        case .closed: throw .closed
        case .queued(let first): if first { onLoop { $0.flushStdin() } }
        }
    }

    /// Closes stdin once what is queued has been written.
    func closeStdin() throws(Refusal) {
        let reaped = shared.withLock { state in
            if !state.reaped { state.stdin.requestClose() }
            return state.reaped
        }
        if reaped { throw .exited }
        onLoop { $0.flushStdin() }
    }

    /// Signals the child's process group (the child and what it started).
    func signal(_ number: Int32) throws(Refusal) {
        // Under the reaper's lock: an unreaped pid cannot have been reused by another process.
        let sent = shared.withLock { state in
            if !state.reaped { _ = shim_signal_group(pid, number) }
            return !state.reaped
        }
        if !sent { throw .exited }
    }

    /// Closes stdin now, sends SIGTERM after `grace` ms and SIGKILL `grace` ms later. A sooner
    /// termination already under way keeps its schedule.
    func terminate(graceMilliseconds grace: UInt64) throws(Refusal) {
        if shared.withLock({ $0.reaped }) { throw .exited }
        onLoop { $0.escalate(grace: grace) }
    }

    private func onLoop(_ work: @escaping @Sendable (ChildProcess) -> Void) {
        loop.post(.run { [self] _ in work(self) })
    }

    // MARK: Loop thread

    private func attach() {
        watch(pidFD, .exit, events: SHIM_EPOLLIN)
        watch(stdoutFD, .stdout, events: SHIM_EPOLLIN)
        watch(stderrFD, .stderr, events: SHIM_EPOLLIN)
        flushStdin()
    }

    private func watch(_ fd: Int32, _ stream: Watcher.Stream, events: UInt32) {
        guard fd >= 0 else { return }
        loop.watch(fd, events: events, Watcher(process: self, stream: stream))
    }

    private func closePipe(_ fd: inout Int32) {
        guard fd >= 0 else { return }
        loop.unwatch(fd)
        close(fd)
        fd = -1
    }

    fileprivate func ready(_ stream: Watcher.Stream) {
        switch stream {
        case .exit: reap()
        case .stdin: flushStdin()
        case .stdout: readStdout(upTo: Self.readsPerTurn * Self.readSize)
        case .stderr: readStderr(upTo: Self.readsPerTurn * Self.readSize)
        }
    }

    // MARK: stdin

    private func flushStdin() {
        guard stdinFD >= 0 else { return }
        let fd = stdinFD
        var failed = false
        let (queued, drained, closing) = shared.withLock { state in
            state.stdin.writeOut { bytes in
                while true {
                    let written = Glibc.write(fd, bytes.baseAddress, bytes.count)
                    if written >= 0 || shim_errno() == EAGAIN { return written }
                    if shim_errno() != EINTR {
                        failed = true  // the child closed its stdin (EPIPE): nothing more can go
                        return -1
                    }
                }
            }
            let closing = failed || (state.stdin.closeRequested && state.stdin.count == 0)
            return (state.stdin.count, state.stdin.takeDrained(), closing)
        }
        if drained, let drainedCallback = callbacks.drained {
            executor.submit { [id] in drainedCallback(id) }
        }
        if closing {
            closeStdinPipe()
        } else if queued > 0 && !stdinWatched {
            stdinWatched = true
            watch(stdinFD, .stdin, events: SHIM_EPOLLOUT)
        } else if queued == 0 && stdinWatched {
            stdinWatched = false
            loop.unwatch(stdinFD)
        }
    }

    private func closeStdinPipe() {
        closePipe(&stdinFD)
        stdinWatched = false
        shared.withLock { $0.stdin.close() }
    }

    // MARK: stdout and stderr

    /// Reads up to `limit` bytes from `fd`, handing each piece to `deliver` until it returns
    /// false; false when the pipe is done (its end, a read error, or `deliver` stopped).
    private func readPipe(_ fd: Int32, upTo limit: Int, _ deliver: ([UInt8]) -> Bool) -> Bool {
        var left = limit
        while left > 0 {
            let capacity = min(Self.readSize, left)
            var count = 0
            var error: Int32 = 0
            let bytes = [UInt8](unsafeUninitializedCapacity: capacity) { buffer, initialized in
                count = read(fd, buffer.baseAddress, capacity)
                if count < 0 { error = shim_errno() }
                initialized = max(count, 0)
            }
            if count > 0 {
                left -= count
                guard deliver(bytes) else { return false }
            } else if error != EINTR {
                return error == EAGAIN
            }
        }
        return true
    }

    private func readStdout(upTo limit: Int) {
        guard stdoutFD >= 0 else { return }
        let open = readPipe(stdoutFD, upTo: limit) { bytes in
            guard stdoutLines != nil else {
                submitOutput(LineSplitter.Lines(bytes: bytes, ranges: [0..<bytes.count]))
                return true
            }
            submitOutput(bytes.withUnsafeBytes { stdoutLines!.append($0) })
            guard !stdoutLines!.overflowed else {
                refuseLongLine()
                return false
            }
            return true
        }
        if !open { closePipe(&stdoutFD) }
    }

    /// A stdout line passed max_line_bytes: the child is killed rather than buffered without end.
    private func refuseLongLine() {
        logger.log(.warn, "child process killed: a stdout line passed max_line_bytes",
                   ["plugin": plugin, "pid": String(pid), "max_line_bytes": String(stdoutLines?.maxLineBytes ?? 0)])
        stdoutLines = nil
        try? signal(SIGKILL)
    }

    private func submitOutput(_ lines: LineSplitter.Lines) {
        guard let output = callbacks.output, !lines.ranges.isEmpty else { return }
        let size = lines.bytes.count
        let pause = shared.withLock { state in
            state.outputBacklog += size
            guard state.outputBacklog > Self.outputBacklogBound, !state.outputPaused else { return false }
            state.outputPaused = true
            return true
        }
        if pause { loop.unwatch(stdoutFD) }
        executor.submit { [self] in
            lines.bytes.withUnsafeBytes { all in
                for range in lines.ranges { output(id, UnsafeRawBufferPointer(rebasing: all[range])) }
            }
            outputDelivered(size)
        }
    }

    /// Worker thread: the owner took `size` bytes; reading resumes once half the backlog is gone.
    private func outputDelivered(_ size: Int) {
        let resume = shared.withLock { state in
            state.outputBacklog -= size
            guard state.outputPaused, !state.resumePosted, state.outputBacklog <= Self.outputBacklogBound / 2 else {
                return false
            }
            state.resumePosted = true
            return true
        }
        if resume { onLoop { $0.resumeStdout() } }
    }

    private func resumeStdout() {
        let paused = shared.withLock { state in
            defer { (state.outputPaused, state.resumePosted) = (false, false) }
            return state.outputPaused
        }
        if paused { watch(stdoutFD, .stdout, events: SHIM_EPOLLIN) }
    }

    private func readStderr(upTo limit: Int) {
        guard stderrFD >= 0 else { return }
        let open = readPipe(stderrFD, upTo: limit) { bytes in
            logStderr(bytes.withUnsafeBytes { stderrLines.append($0) })
            return true
        }
        if !open { closePipe(&stderrFD) }
    }

    /// Stderr lines go to the host log, tagged with the plugin and pid, within the budget.
    private func logStderr(_ lines: LineSplitter.Lines) {
        for range in lines.ranges where stderrBudget.admit(now: loop.now) {
            reportDroppedStderr()
            logger.log(.info, "child stderr", ["plugin": plugin, "pid": String(pid),
                                               "line": String(decoding: lines.bytes[range], as: UTF8.self)])
        }
    }

    private func reportDroppedStderr() {
        let dropped = stderrBudget.takeDropped()
        guard dropped > 0 else { return }
        logger.log(.warn, "child stderr lines dropped (over \(Self.stderrLinesPerSecond) a second)",
                   ["plugin": plugin, "pid": String(pid), "dropped": String(dropped)])
    }

    // MARK: Exit

    private func reap() {
        var code: Int32 = -1
        var signal: Int32 = 0
        let result = shared.withLock { state in
            let result = shim_reap(pidFD, &code, &signal)
            if result != 0 { state.reaped = true }
            return result
        }
        if result == 0 { return }  // not exited yet
        if result < 0 {
            // Someone else reaped it (a waitpid(-1) elsewhere in the process): its status is lost.
            logger.log(.warn, "child process reaped elsewhere", ["plugin": plugin, "pid": String(pid)])
        }
        if let escalation { loop.timers.cancel(escalation.timer) }
        escalation = nil
        closeStdinPipe()
        readStdout(upTo: Self.finalReadBytes)
        if stdoutLines != nil { submitOutput(stdoutLines!.finish()) }
        closePipe(&stdoutFD)
        readStderr(upTo: Self.finalReadBytes)
        logStderr(stderrLines.finish())
        reportDroppedStderr()
        closePipe(&stderrFD)
        closePipe(&pidFD)
        directory.reaped(self)
        logger.log(.debug, "child process exited",
                   ["plugin": plugin, "pid": String(pid), "code": String(code), "signal": String(signal)])
        let exit = ProcessExit(code: code, signal: signal)
        executor.submit { [self] in
            callbacks.exited?(id, exit)
            directory.finished(self)
        }
    }

    /// Closes stdin and schedules SIGTERM, then SIGKILL, keeping any sooner step already due.
    private func escalate(grace: UInt64) {
        guard pidFD >= 0 else { return }
        closeStdinPipe()
        schedule(escalation?.signal ?? SIGTERM, due: min(escalation?.due ?? .max, loop.now + grace),
                 grace: min(escalation?.grace ?? .max, grace))
    }

    private func schedule(_ signal: Int32, due: UInt64, grace: UInt64) {
        if let escalation { loop.timers.cancel(escalation.timer) }
        let timer = loop.timers.schedule(at: due) { [self] in
            escalation = nil
            try? self.signal(signal)
            if signal == SIGTERM { schedule(SIGKILL, due: loop.now + grace, grace: grace) }
        }
        escalation = Escalation(signal: signal, due: due, grace: grace, timer: timer)
    }
}

/// Routes one of a child's descriptors' readiness to it.
private final class Watcher: LoopWatcher {
    enum Stream {
        case exit, stdin, stdout, stderr
    }

    let process: ChildProcess
    let stream: Stream

    init(process: ChildProcess, stream: Stream) {
        self.process = process
        self.stream = stream
    }

    func ready(_ events: UInt32, on loop: EventLoop) { process.ready(stream) }
}
