/// How a child ended: its exit code, or -1 and the signal that ended it.
struct ProcessExit: Sendable, Equatable {
    let code: Int32
    let signal: Int32
}

/// What the host tells a child's owner, on worker threads, one call at a time, in order:
/// stdout (chunks or lines, borrowed for the call), stdin drained after a refused write, and
/// the exit, last of all. Each is optional.
struct ProcessCallbacks: Sendable {
    var output: (@Sendable (UInt64, UnsafeRawBufferPointer) -> Void)?
    var drained: (@Sendable (UInt64) -> Void)?
    var exited: (@Sendable (UInt64, ProcessExit) -> Void)?
}
