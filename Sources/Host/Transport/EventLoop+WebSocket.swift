import CShims
import Glibc

/// The event loop's side of WebSocket connections: the switch of protocols, frames in and
/// out, pings, the close handshake and back-pressure.
extension EventLoop {
    /// Writes the 101 and turns the connection into a WebSocket channel.
    func upgrade(_ connection: Connection, _ request: RequestContext, to endpoint: WebSocketEndpoint) {
        refreshDate()
        ResponseSerializer.append(
            request.response, requestID: request.requestID, keepAlive: true, omitBody: true, date: dateHeader,
            to: &connection.output)
        let id = UInt64(index) << 56 | (connection.generation & 0x00FF_FFFF_FFFF_FFFF)
        let channel = WebSocketChannel(
            id: id, endpoint: endpoint, maxMessageBytes: settings.webSocketMaxMessageBytes, workers: context.workers,
            inbound: InboundBacklog(loop: self, id: id, limits: context.inboundLimits), now: now)
        connection.webSocket = channel
        connection.state = .webSocket
        connection.deadline = 0
        webSockets[id] = connection
        if let principal = request.principal {
            channel.expiresAt = principal.expiresAt
            context.webSockets.opened(id, owner: .init(userID: principal.userID, sessionID: principal.sessionID))
        } else {
            context.webSockets.opened(id, owner: nil)
        }
        context.counters.webSocketConnections.add(1, ordering: .relaxed)
        channel.deliver { endpoint.open(id, request) }
        if !connection.input.isEmpty { processWebSocketInput(connection) }
        refreshReading(connection)
    }

    func handleWebSocketInput(_ connection: Connection, _ count: Int) {
        guard case .webSocket = connection.state else {
            connection.input.removeAll()
            return
        }
        connection.webSocket?.lastReceived = now
        processWebSocketInput(connection)
        flush(connection)
        refreshReading(connection)
    }

    /// Reading may go on: frames left in the buffer while it was paused are acted on first.
    func resumeWebSocket(_ connection: Connection) {
        if case .webSocket = connection.state, !connection.input.isEmpty {
            processWebSocketInput(connection)
            flush(connection)
        }
        refreshReading(connection)
    }

    /// Acts on the complete frames in the buffer; stops early while too many messages wait
    /// for workers or the peer is not reading its answers (the rest stays buffered).
    private func processWebSocketInput(_ connection: Connection) {
        guard let channel = connection.webSocket else { return }
        guard !channel.inbound.isOverBound, connection.outputBacklog <= settings.webSocketSendQueueBytes else { return }
        var events: [WebSocketSession.Event] = []
        let consumed = channel.session.receive(connection.input.readable, events: &events)
        connection.input.consume(consumed)
        let endpoint = channel.endpoint
        let id = channel.id
        for event in events {
            switch event {
            case .text(let message):
                context.counters.webSocketMessagesReceived.add(1, ordering: .relaxed)
                channel.deliverMessage(byteCount: message.count) { endpoint.message(id, true, message) }
            case .binary(let message):
                context.counters.webSocketMessagesReceived.add(1, ordering: .relaxed)
                channel.deliverMessage(byteCount: message.count) { endpoint.message(id, false, message) }
            case .ping(let payload):
                // Pongs count against the send queue like data: a peer that pings and never
                // reads is closed with 1008 instead of growing our memory.
                if !queue(WebSocketFrameWriter.frame(.pong, payload: payload), to: connection, channel) { return }
            case .pong:
                channel.pingSentAt = 0
            case .close(let code):
                // Echo the peer's code, then close the TCP connection first (RFC 6455 §7.1.1).
                finishClose(connection, channel, answer: code ?? WebSocketCloseCode.normal, notify: code ?? 1005)
                return
            case .fail(let code, let reason):
                finishClose(connection, channel, answer: code, notify: code, reason: reason)
                return
            }
        }
    }

    private func finishClose(_ connection: Connection, _ channel: WebSocketChannel, answer: UInt16, notify: UInt16,
                             reason: String = "") {
        if !channel.closeSent {
            connection.output.append(contentsOf: WebSocketFrameWriter.close(code: answer, reason: reason))
            channel.closeSent = true
        }
        channel.notifyClosed(code: notify)
        connection.state = .closingAfterWrite
        connection.input.removeAll()
        connection.deadline = now + settings.lingerMilliseconds
    }

    /// Queues a data frame and writes what the socket takes.
    func send(_ frame: [UInt8], to connection: Connection) {
        guard let channel = connection.webSocket, !channel.closeSent else { return }
        if queue(frame, to: connection, channel) {
            context.counters.webSocketMessagesSent.add(1, ordering: .relaxed)
        }
        flush(connection)
    }

    /// Appends a frame unless the peer's unsent backlog would pass the send-queue limit; then
    /// the peer is closed with 1008 and false is returned. (A single frame larger than the
    /// limit still goes out when nothing is waiting.)
    private func queue(_ frame: [UInt8], to connection: Connection, _ channel: WebSocketChannel) -> Bool {
        let backlog = connection.outputBacklog
        guard backlog > 0 && backlog + frame.count > settings.webSocketSendQueueBytes else {
            connection.output.append(contentsOf: frame)
            return true
        }
        connection.output.append(contentsOf: WebSocketFrameWriter.close(
            code: WebSocketCloseCode.policyViolation, reason: "send queue full"))
        channel.closeSent = true
        channel.notifyClosed(code: WebSocketCloseCode.policyViolation)
        connection.state = .closingAfterWrite
        connection.input.removeAll()
        connection.deadline = now + settings.lingerMilliseconds
        return false
    }

    /// Starts the server's close handshake; the peer has until the linger time to answer.
    func startClose(_ connection: Connection, code: UInt16, reason: String) {
        guard let channel = connection.webSocket, !channel.closeSent else { return }
        connection.output.append(contentsOf: WebSocketFrameWriter.close(code: code, reason: reason))
        channel.closeSent = true
        channel.notifyClosed(code: code)
        connection.deadline = now + settings.lingerMilliseconds
        flush(connection)
    }

    /// Pings connections idle for an interval; drops those that did not answer the last ping;
    /// closes those whose credential expired (4401) unless it was renewed in time.
    func sweepWebSockets() {
        let interval = settings.webSocketPingIntervalMilliseconds
        let wallClock = Int64(time(nil))
        for connection in webSockets.values {
            guard let channel = connection.webSocket, !channel.closeSent else { continue }
            // A connection paused only by the global bound of waiting messages hears no
            // completion of its own: look again here.
            if connection.readingPaused { resumeWebSocket(connection) }
            if channel.expiresAt != 0 && wallClock >= channel.expiresAt {
                startClose(connection, code: WebSocketDirectory.unauthorizedCloseCode, reason: "token_expired")
            } else if channel.pingSentAt != 0 {
                if now &- channel.pingSentAt >= interval { closeConnection(connection) }
            } else if now &- channel.lastReceived >= interval {
                channel.pingSentAt = now
                WebSocketFrameWriter.append(.ping, payload: [UInt8](), to: &connection.output)
                flush(connection)
            }
        }
    }
}
