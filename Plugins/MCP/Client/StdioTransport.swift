import PluginKit
import Synchronization

/// A stdio server: a child run by the host's process API by its exact path (no PATH lookup,
/// no shell, nothing of the host's environment), one JSON-RPC message per line each way.
/// Its stderr goes to the host log. Closing ends stdin, then SIGTERM and SIGKILL after a grace.
final class StdioTransport: MCPTransport {
    private let host: PluginHost
    private let command: String
    private let arguments: [String]
    private let environment: [String: String]
    private let events: MCPTransportEvents
    private let child = Mutex<ChildProcess?>(nil)
    private let framer: Mutex<MessageLineFramer>
    /// Lines that were not JSON-RPC: logged once per child, then only counted.
    private let unreadable = Atomic<Int>(0)

    /// Milliseconds between closing stdin and SIGTERM, and again until SIGKILL (the SDK's 2 s).
    static let graceMilliseconds: UInt32 = 2000

    init(host: PluginHost, command: String, arguments: [String], environment: [String: String], maxMessageBytes: Int,
         events: MCPTransportEvents) {
        self.host = host
        self.command = command
        self.arguments = arguments
        self.environment = environment
        self.events = events
        framer = Mutex(MessageLineFramer(limit: maxMessageBytes))
    }

    func open() throws(MCPConnectionError) {
        let events = events
        do {
            let started = try host.spawn(
                command, arguments: [command] + arguments, environment: environment,
                onOutput: { [self] _, bytes in
                    for piece in framer.withLock({ $0.feed(bytes) }) { deliver(piece) }
                },
                onExit: { _, exit in
                    let how = exit.code.map { "exit code \($0)" } ?? "signal \(exit.signal ?? 0)"
                    events.closed("the server process ended (\(how))")
                })
            child.withLock { $0 = started }
        } catch {
            let retryable = error != .notFound && error != .invalid
            throw MCPConnectionError(description: "cannot start \(command): \(error)", retryable: retryable)
        }
    }

    private func deliver(_ piece: MessageLineFramer.Piece) {
        switch piece {
        case .oversized(let id):
            if let id { events.requestFailed(id, .tooLarge(limit: framer.withLock { $0.limit })) }
        case .line(let bytes):
            switch JSONRPCMessage.parse(bytes) {
            case .success(let message):
                events.received(message)
            case .failure(let error):
                if unreadable.add(1, ordering: .relaxed).newValue == 1 {
                    host.log(.warn, "mcp: \(command) wrote a line that is not JSON-RPC (\(error.message)); "
                             + "further ones are ignored silently")
                }
            }
        }
    }

    func send(_ message: JSONRPCMessage) {
        let outcome = child.withLock { $0 }?.write(message.bytes + [UInt8(ascii: "\n")]) ?? .exited
        guard outcome != .queued, case .request(let id, _, _) = message else { return }
        events.requestFailed(id, .unavailable(outcome == .busy ? "the server is not reading its input"
                                                                : "the server process has ended"))
    }

    func negotiated(protocolVersion: String) {}

    func listen() {}

    func abandon(_ id: JSONRPCID) {}

    func close() {
        child.withLock { $0 }?.terminate(graceMilliseconds: Self.graceMilliseconds)
    }
}
