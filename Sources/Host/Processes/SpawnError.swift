/// Why a child process was not started.
enum SpawnError: Error, Equatable {
    /// The request is malformed (a relative path, no argv, a NUL byte ...).
    case invalid(String)
    /// No executable regular file at the path (a symbolic link counts as none).
    case notFound(String)
    /// `[limits] max_processes` children are running.
    case busy
    /// The host is not serving: before its loops run, or while it stops.
    case stopping
    /// The system refused: pipes, clone or exec failed.
    case failed(String)

    /// What an operator reads in the log; nil for the refusals that are the plugin's to handle.
    var reason: String? {
        switch self {
        case .invalid(let reason), .notFound(let reason), .failed(let reason): reason
        case .busy, .stopping: nil
        }
    }
}
