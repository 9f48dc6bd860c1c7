/// The event loop's side of deferred and streamed responses (ABI 1.4): a connection waits
/// for its response (with the pending deadline), sends a stream's head and chunks as the
/// plugin writes them, pings idle event streams, and ends or cancels the stream.
extension EventLoop {
    /// The handler deferred: the connection now waits (reading paused, hang-ups watched).
    func adopt(_ response: DeferredResponse) {
        guard let connection = connection(response.fd), connection.generation == response.generation else {
            context.counters.requestsInFlight.subtract(1, ordering: .relaxed)  // its client left
            response.cancel()
            return
        }
        guard connection.stream == nil else { return }  // the stream's head already adopted it
        guard response.phase == .pending || response.phase == .streaming else { return }  // .completed follows
        connection.stream = response
        connection.deadline = now + settings.pendingTimeoutMilliseconds
        refreshInterest(connection)
    }

    /// The stream's head is final: send it with whatever was written so far.
    func sendStreamHead(_ response: DeferredResponse) {
        guard let connection = connection(response.fd), connection.generation == response.generation,
              response.phase != .cancelled
        else {
            if response.phase != .cancelled {
                context.counters.requestsInFlight.subtract(1, ordering: .relaxed)
                response.cancel()
            }
            return
        }
        connection.stream = response
        connection.streamHeadSent = true
        // The head counts as a write: the idle-ping clock starts now, not at the last stream's.
        connection.streamLastWrite = now
        connection.deadline = 0
        refreshDate()
        ResponseSerializer.appendStreamHead(
            response.context.response, requestID: response.context.requestID, chunked: response.isChunked,
            omitBody: response.context.isHead, date: dateHeader, to: &connection.output)
        refreshInterest(connection)
        pump(connection, response)
    }

    /// Moves what the plugin wrote into the socket; ends the exchange after the last chunk.
    func pump(_ connection: Connection, _ response: DeferredResponse) {
        let (bytes, finished) = response.takeOutbox()
        if !bytes.isEmpty {
            connection.output += bytes
            connection.streamLastWrite = now
        }
        flush(connection)
        guard self.connection(connection.fd) === connection else { return }  // the write failed: closed
        if finished {
            endStream(connection, response)
        } else {
            response.socketDrained(backlog: connection.outputBacklog)
        }
    }

    private func endStream(_ connection: Connection, _ response: DeferredResponse) {
        connection.stream = nil
        connection.streamHeadSent = false
        context.counters.requestsInFlight.subtract(1, ordering: .relaxed)
        let exchange = response.context
        let pipeline = context.pipeline
        // The LOG phase may block unless every middleware is inline.
        if pipeline.middlewareIsInline { pipeline.observe(exchange) } else { context.workers.submit { pipeline.observe(exchange) } }
        // A body delimited by closing the connection (HTTP/1.0) ends only with the connection.
        let keepAlive = response.isChunked && exchange.head.keepAlive && !draining
        connection.state = keepAlive ? .readingHead : .closingAfterWrite
        refreshReading(connection)
        if keepAlive && !connection.input.isEmpty { processPipelined(connection) }
        flush(connection)
    }

    /// A waiting connection's deadline passed: a pending response is answered 504; a stream
    /// whose client has not read for the idle timeout is dropped; event streams are pinged.
    func sweepStream(_ connection: Connection) {
        guard let stream = connection.stream else { return }
        if !connection.streamHeadSent {
            connection.deadline = 0
            stream.expire()
        } else if connection.hasPendingOutput {
            closeConnection(connection)
        } else {
            connection.deadline = 0
        }
    }

    /// Event streams idle for their ping interval get a comment, so proxies keep them open.
    func pingIdleStreams(_ connection: Connection) {
        guard let stream = connection.stream, connection.streamHeadSent, stream.isEvents, !connection.hasPendingOutput,
              now &- connection.streamLastWrite >= stream.pingIntervalMilliseconds.load(ordering: .relaxed)
        else { return }
        if stream.isChunked {
            StreamFraming.appendChunk(StreamFraming.ping, to: &connection.output)
        } else {
            connection.output += StreamFraming.ping
        }
        connection.streamLastWrite = now
        flush(connection)
    }

    /// The grace period is over: every deferred or streamed response still open is cancelled.
    func cancelStreams() {
        for fd in streamingDescriptors() {
            if let connection = connection(fd) { closeConnection(connection) }
        }
    }
}
