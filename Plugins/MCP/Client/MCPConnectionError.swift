/// Why a connection attempt failed.
struct MCPConnectionError: Error, Sendable, Equatable, CustomStringConvertible {
    var description: String
    /// Worth trying again later (a refusal by the outbound policy or a missing program is not).
    var retryable = true
}
