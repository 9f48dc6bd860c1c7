import Synchronization

/// What the transport counts for observers (the metrics plugin reads them through
/// `core->transport_stats`): relaxed atomic increments, nothing on the hot path waits.
final class TransportCounters: Sendable {
    /// Open connections across all loops (also the connection limit and what draining waits for).
    let openConnections = Atomic<Int>(0)
    let webSocketConnections = Atomic<Int>(0)
    let webSocketMessagesReceived = Atomic<UInt64>(0)
    let webSocketMessagesSent = Atomic<UInt64>(0)
    /// Requests parsed and not yet answered (counted by the loop, wherever they run).
    let requestsInFlight = Atomic<Int>(0)
}
