import PluginABI

/// A program this plugin started with `PluginHost.spawn` (ABI 1.4): write to its stdin,
/// close it, signal or terminate it. Every call returns at once, from any thread; once the
/// child has exited they answer `false` / `.exited`.
public struct ChildProcess: Sendable, Hashable {
    /// The host's handle (generation-tagged, never reused).
    public let id: UInt64
    let table: ProcessTableReference

    /// How a child ended: its exit code, or nil and the signal that ended it.
    public struct Exit: Sendable, Equatable {
        public let code: Int32?
        public let signal: Int32?

        init(code: Int32, signal: Int32) {
            self.code = code >= 0 ? code : nil
            self.signal = code >= 0 ? nil : signal
        }
    }

    public enum WriteOutcome: Sendable, Equatable {
        case queued
        /// 1 MiB is queued already: nothing was taken; `onDrain` says when to write again.
        case busy
        /// Stdin is closed or closing.
        case closed
        case exited
    }

    /// Queues `bytes` for the child's stdin (copied).
    public func write(_ bytes: [UInt8]) -> WriteOutcome {
        switch withABIBytes(bytes, { table.api.pointee.write(id, $0) }) {
        case PATTERN_OK: .queued
        case PATTERN_BUSY: .busy
        case PATTERN_STATE: .closed
        default: .exited
        }
    }

    /// Closes stdin once what is queued has been written; false when the child has exited.
    @discardableResult
    public func closeStdin() -> Bool { table.api.pointee.close_stdin(id) == PATTERN_OK }

    /// Signals the child's process group (SIGTERM, SIGKILL, SIGINT, SIGHUP, SIGUSR1, SIGUSR2).
    @discardableResult
    public func signal(_ number: Int32) -> Bool { table.api.pointee.signal(id, number) == PATTERN_OK }

    /// Closes stdin, then sends SIGTERM after `graceMilliseconds` and SIGKILL as long again
    /// later (0: the host's 2 s); `onExit` follows.
    @discardableResult
    public func terminate(graceMilliseconds: UInt32 = 0) -> Bool {
        table.api.pointee.terminate(id, graceMilliseconds) == PATTERN_OK
    }

    public static func == (lhs: ChildProcess, rhs: ChildProcess) -> Bool { lhs.id == rhs.id }
    public func hash(into hasher: inout Hasher) { hasher.combine(id) }
}

// @unchecked: the host's process table is immutable and lives as long as the process.
struct ProcessTableReference: @unchecked Sendable {
    let api: UnsafePointer<pattern_process_api>
}
