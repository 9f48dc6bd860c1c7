import PluginABI

/// Child processes for Swift plugins (ABI 1.4 `process`): the host runs them on its event
/// loops and calls back on worker threads, one call at a time per child, so no thread waits.
extension PluginHost {
    public enum ProcessError: Error, Equatable, CustomStringConvertible {
        /// The host is older than ABI 1.4 and runs no child processes.
        case unsupported
        /// A relative path or working directory, no arguments, a NUL byte ...
        case invalid
        /// No executable regular file at the path (a symbolic link counts as none), or no
        /// directory at the working directory.
        case notFound
        /// `[limits] max_processes` children are running.
        case busy
        /// During `setUp`, or while the host stops.
        case stopping
        /// The system refused; the host logged why.
        case failed(status: Int32)

        public var description: String {
            switch self {
            case .unsupported: "this host runs no child processes (ABI 1.4 needed)"
            case .invalid: "the program, its arguments or environment are malformed"
            case .notFound: "no executable file at the path, or no such working directory"
            case .busy: "too many child processes are running"
            case .stopping: "child processes cannot start now"
            case .failed(let status): "the child process could not start (status \(status))"
            }
        }
    }

    /// Whether this host runs child processes (ABI 1.4 and later).
    public var supportsProcesses: Bool { processTable != nil }

    var processTable: ProcessTableReference? {
        guard let api = table.added(\.process), abiHasField(api.pointee.struct_size, \pattern_process_api.terminate)
        else { return nil }
        return ProcessTableReference(api: api)
    }

    /// Runs the executable at `path` (absolute; no PATH lookup, no shell) with exactly
    /// `arguments` (argv[0] first) and `environment` (nothing of the host's), in
    /// `workingDirectory` (nil: the host's). `onOutput` gets stdout in chunks, or line by line
    /// with `lines` (a line over `maxLineBytes`, 0 for 1 MiB, kills the child); `onDrain` says
    /// stdin has room again after a `.busy` write; `onExit` comes last, once.
    public func spawn(
        _ path: String, arguments: [String], environment: [String: String] = [:], workingDirectory: String? = nil,
        lines: Bool = false, maxLineBytes: Int = 0,
        onOutput: (@Sendable (ChildProcess, [UInt8]) -> Void)? = nil,
        onDrain: (@Sendable (ChildProcess) -> Void)? = nil,
        onExit: (@Sendable (ChildProcess, ChildProcess.Exit) -> Void)? = nil
    ) throws(ProcessError) -> ChildProcess {
        guard let processes = processTable else { throw .unsupported }
        let callbacks = ProcessCallbacks(table: processes, output: onOutput, drain: onDrain, exit: onExit)
        let userdata = Unmanaged.passRetained(callbacks).toOpaque()
        let variables = environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        var id: UInt64 = 0
        let status = withABIString(path) { pathText in
            withABIString(workingDirectory ?? "") { directory in
                withABIStrings(arguments) { argv in
                    withABIStrings(variables) { env in
                        var spec = pattern_process_spec()
                        spec.struct_size = UInt32(MemoryLayout<pattern_process_spec>.size)
                        spec.path = pathText
                        spec.argv = argv.baseAddress
                        spec.argc = argv.count
                        spec.env = env.baseAddress
                        spec.env_count = env.count
                        spec.flags = lines ? UInt32(PATTERN_PROCESS_LINES) : 0
                        spec.max_line_bytes = UInt64(max(0, maxLineBytes))
                        spec.on_stdout = onOutput == nil ? nil : { id, bytes, userdata in
                            let callbacks = ProcessCallbacks.from(userdata)
                            callbacks.output?(ChildProcess(id: id, table: callbacks.table), bytes.byteArray)
                        }
                        spec.on_drain = onDrain == nil ? nil : { id, userdata in
                            let callbacks = ProcessCallbacks.from(userdata)
                            callbacks.drain?(ChildProcess(id: id, table: callbacks.table))
                        }
                        // Always set: the last callback, where the closures are let go.
                        spec.on_exit = { id, code, signal, userdata in
                            let callbacks = Unmanaged<ProcessCallbacks>.fromOpaque(userdata!).takeRetainedValue()
                            callbacks.exit?(ChildProcess(id: id, table: callbacks.table), ChildProcess.Exit(code: code, signal: signal))
                        }
                        spec.userdata = userdata
                        spec.cwd = directory
                        return processes.api.pointee.spawn(handle.raw, &spec, &id)
                    }
                }
            }
        }
        guard status == PATTERN_OK else {
            Unmanaged<ProcessCallbacks>.fromOpaque(userdata).release()
            switch status {
            case PATTERN_INVALID: throw .invalid
            case PATTERN_NOT_FOUND: throw .notFound
            case PATTERN_BUSY: throw .busy
            case PATTERN_STATE: throw .stopping
            default: throw .failed(status: status)
            }
        }
        return ChildProcess(id: id, table: processes)
    }
}

/// A child's closures behind the C `userdata`, from spawn until its on_exit.
final class ProcessCallbacks: Sendable {
    let table: ProcessTableReference
    let output: (@Sendable (ChildProcess, [UInt8]) -> Void)?
    let drain: (@Sendable (ChildProcess) -> Void)?
    let exit: (@Sendable (ChildProcess, ChildProcess.Exit) -> Void)?

    init(table: ProcessTableReference, output: (@Sendable (ChildProcess, [UInt8]) -> Void)?,
         drain: (@Sendable (ChildProcess) -> Void)?, exit: (@Sendable (ChildProcess, ChildProcess.Exit) -> Void)?) {
        self.table = table
        self.output = output
        self.drain = drain
        self.exit = exit
    }

    static func from(_ userdata: UnsafeMutableRawPointer?) -> ProcessCallbacks {
        Unmanaged<ProcessCallbacks>.fromOpaque(userdata!).takeUnretainedValue()
    }
}

/// Calls `body` with borrowed `pattern_str`s over `strings` (valid only inside `body`).
func withABIStrings<R>(_ strings: [String], _ body: (UnsafeBufferPointer<pattern_str>) -> R) -> R {
    let storage = strings.flatMap(\.utf8)
    return storage.withUnsafeBufferPointer { bytes in
        var offset = 0
        let views = strings.map { text -> pattern_str in
            let count = text.utf8.count
            defer { offset += count }
            return pattern_str(ptr: bytes.baseAddress.map { UnsafeRawPointer($0 + offset).assumingMemoryBound(to: CChar.self) },
                               len: count)
        }
        return views.withUnsafeBufferPointer(body)
    }
}
