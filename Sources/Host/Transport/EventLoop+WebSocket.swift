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
            now: now)
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
        if connection.readingPaused { setReading(connection, paused: false) }
        channel.deliver { endpoint.open(id, request) }
        if !connection.input.isEmpty { processWebSocketInput(connection) }
    }

    func handleWebSocketReadable(_ connection: Connection) {
        let space = connection.input.writableSpace(minimum: 16 * 1024)
        let count = read(connection.fd, space.baseAddress, space.count)
        if count == 0 || (count < 0 && shim_errno() != EAGAIN && shim_errno() != EINTR) {
            closeConnection(connection)
            return
        }
        guard count > 0 else { return }
        guard case .webSocket = connection.state else {
            connection.input.removeAll()
            return
        }
        connection.input.didWrite(count)
        connection.webSocket?.lastReceived = now
        processWebSocketInput(connection)
        flush(connection)
    }

    /// Acts on every complete frame in the buffer.
    private func processWebSocketInput(_ connection: Connection) {
        guard let channel = connection.webSocket else { return }
        var events: [WebSocketSession.Event] = []
        let consumed = channel.session.receive(connection.input.readable, events: &events)
        connection.input.consume(consumed)
        let endpoint = channel.endpoint
        let id = channel.id
        for event in events {
            switch event {
            case .text(let message):
                context.counters.webSocketMessagesReceived.add(1, ordering: .relaxed)
                channel.deliver { endpoint.message(id, true, message) }
            case .binary(let message):
                context.counters.webSocketMessagesReceived.add(1, ordering: .relaxed)
                channel.deliver { endpoint.message(id, false, message) }
            case .ping(let payload):
                if !channel.closeSent { WebSocketFrameWriter.append(.pong, payload: payload, to: &connection.output) }
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

    /// Queues a frame; a peer whose unsent backlog would pass the limit is closed with 1008.
    /// (A single frame larger than the limit still goes out when nothing is waiting.)
    func send(_ frame: [UInt8], to connection: Connection) {
        guard let channel = connection.webSocket, !channel.closeSent else { return }
        let backlog = connection.output.count - connection.outputSent
        if backlog > 0 && backlog + frame.count > settings.webSocketSendQueueBytes {
            connection.output.append(contentsOf: WebSocketFrameWriter.close(
                code: WebSocketCloseCode.policyViolation, reason: "send queue full"))
            channel.closeSent = true
            channel.notifyClosed(code: WebSocketCloseCode.policyViolation)
            connection.state = .closingAfterWrite
            connection.deadline = now + settings.lingerMilliseconds
        } else {
            connection.output.append(contentsOf: frame)
            context.counters.webSocketMessagesSent.add(1, ordering: .relaxed)
        }
        flush(connection)
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
