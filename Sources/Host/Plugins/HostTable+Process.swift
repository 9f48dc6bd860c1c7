import Glibc
import PluginABI

/// The `process` sub-table (ABI 1.4): child processes, adapted from C to `ChildProcesses`.
extension HostTable {
    /// The wait between terminate's steps when the plugin passes 0.
    static let defaultTerminateGraceMilliseconds: UInt64 = 2000
    /// The signals a plugin may send (others would stop, core-dump or confuse the child).
    static let sendableSignals: Set<Int32> = [SIGTERM, SIGKILL, SIGINT, SIGHUP, SIGUSR1, SIGUSR2]

    static func makeProcess() -> pattern_process_api {
        var api = pattern_process_api()
        api.struct_size = ABIStruct.size(of: pattern_process_api.self)
        api.spawn = { handle, spec, out in HostTable.spawn(handle, spec, out) }
        api.write = { id, bytes in HostTable.withChild(id) { child throws(ChildProcess.Refusal) in try child.write(bytes.bytes) } }
        api.close_stdin = { id in HostTable.withChild(id) { child throws(ChildProcess.Refusal) in try child.closeStdin() } }
        api.signal = { id, number in
            guard HostTable.sendableSignals.contains(number) else { return PATTERN_INVALID }
            return HostTable.withChild(id) { child throws(ChildProcess.Refusal) in try child.signal(number) }
        }
        api.terminate = { id, grace in
            HostTable.withChild(id) { child throws(ChildProcess.Refusal) in
                try child.terminate(graceMilliseconds: grace == 0 ? HostTable.defaultTerminateGraceMilliseconds : UInt64(grace))
            }
        }
        return api
    }

    private static func spawn(
        _ handle: OpaquePointer?, _ spec: UnsafePointer<pattern_process_spec>?, _ out: UnsafeMutablePointer<UInt64>?
    ) -> pattern_status {
        guard let plugin = LoadedPlugin.from(handle), let spec, let out else { return PATTERN_INVALID }
        guard let runtime else { return PATTERN_STATE }
        do {
            let child = try runtime.processes.spawn(launch(spec), plugin: plugin.name, callbacks: callbacks(spec))
            out.pointee = child.id
            child.start()
            return PATTERN_OK
        } catch {
            if let reason = error.reason {
                runtime.logger.log(.warn, "child process not started", ["plugin": plugin.name, "reason": reason])
            }
            switch error {
            case .invalid: return PATTERN_INVALID
            case .notFound: return PATTERN_NOT_FOUND
            case .busy: return PATTERN_BUSY
            case .stopping: return PATTERN_STATE
            case .failed: return PATTERN_INTERNAL
            }
        }
    }

    private static func launch(_ spec: UnsafePointer<pattern_process_spec>) throws(SpawnError) -> ProcessLaunch {
        let flags = ABIStruct.field(spec, \.flags) ?? 0
        guard flags & ~UInt32(PATTERN_PROCESS_LINES) == 0 else { throw .invalid("unknown flags \(flags)") }
        let maxLineBytes = ABIStruct.field(spec, \.max_line_bytes) ?? 0
        return try ProcessLaunch(
            path: bytes(ABIStruct.field(spec, \.path)),
            arguments: try strings(ABIStruct.field(spec, \.argv) ?? nil, ABIStruct.field(spec, \.argc) ?? 0),
            environment: try strings(ABIStruct.field(spec, \.env) ?? nil, ABIStruct.field(spec, \.env_count) ?? 0),
            workingDirectory: bytes(ABIStruct.field(spec, \.cwd)),
            lines: flags & UInt32(PATTERN_PROCESS_LINES) != 0,
            maxLineBytes: maxLineBytes == 0 ? ProcessLaunch.defaultMaxLineBytes : Int(clamping: maxLineBytes))
    }

    private static func strings(_ list: UnsafePointer<pattern_str>?, _ count: Int) throws(SpawnError) -> [[UInt8]] {
        guard count > 0 else { return [] }
        guard let list else { throw .invalid("a list of \(count) strings has no pointer") }
        return (0..<count).map { bytes(list[$0]) }
    }

    /// A copy of a plugin's string; a field its struct is too short for reads as empty.
    private static func bytes(_ text: pattern_str?) -> [UInt8] {
        text.map { Array($0.bytes) } ?? []
    }

    private static func callbacks(_ spec: UnsafePointer<pattern_process_spec>) -> ProcessCallbacks {
        let userdata = PluginUserdata(raw: ABIStruct.field(spec, \.userdata) ?? nil)
        var callbacks = ProcessCallbacks()
        if let onStdout = ABIStruct.field(spec, \.on_stdout) ?? nil {
            callbacks.output = { id, bytes in
                onStdout(id, pattern_str(ptr: bytes.baseAddress?.assumingMemoryBound(to: CChar.self), len: bytes.count),
                         userdata.raw)
            }
        }
        if let onDrain = ABIStruct.field(spec, \.on_drain) ?? nil {
            callbacks.drained = { id in onDrain(id, userdata.raw) }
        }
        if let onExit = ABIStruct.field(spec, \.on_exit) ?? nil {
            callbacks.exited = { id, exit in onExit(id, exit.code, exit.signal, userdata.raw) }
        }
        return callbacks
    }

    /// Runs `body` on the live child `id`, mapping its refusal to a status.
    private static func withChild(_ id: UInt64, _ body: (ChildProcess) throws(ChildProcess.Refusal) -> Void)
        -> pattern_status
    {
        guard let child = runtime?.processes.child(id) else { return PATTERN_NOT_FOUND }
        do {
            try body(child)
            return PATTERN_OK
        } catch {
            switch error {
            case .busy: return PATTERN_BUSY
            case .closed: return PATTERN_STATE
            case .exited: return PATTERN_NOT_FOUND
            }
        }
    }
}
