import CShims
import Glibc
import PatternText
import Synchronization

/// An epoll event loop on its own thread: accepts on its own SO_REUSEPORT listening socket,
/// reads and parses requests, runs inline routes itself and hands the rest to the worker
/// pool, and writes responses in request order. It never blocks except in `epoll_wait`.
// @unchecked: all mutable state is touched only on the loop's thread; other threads reach
// it through `post`, whose mailbox is a Mutex and whose wake-up is an eventfd.
final class EventLoop: @unchecked Sendable {
    enum Message {
        case completed(fd: Int32, generation: UInt64, RequestContext)
        case drain
        case webSocketSend(WebSocketEndpoint.ConnectionID, frame: [UInt8])
        case webSocketBroadcast([WebSocketEndpoint.ConnectionID], frame: [UInt8])
        case webSocketClose(WebSocketEndpoint.ConnectionID, code: UInt16, reason: String)
        /// A connection's messages waiting for workers fell under their bound: read again.
        case webSocketResume(WebSocketEndpoint.ConnectionID)
        /// A connection moved to a fresh credential expiring then (unix seconds, 0 = never).
        case webSocketRenew(WebSocketEndpoint.ConnectionID, expiresAt: Int64)
        /// Work that must happen on the loop's thread (watching a descriptor, a timer).
        case run(@Sendable (EventLoop) -> Void)
        /// A handler deferred its response: the connection waits for it (ABI 1.4).
        case deferred(DeferredResponse)
        /// A streamed response's head is final: send it.
        case streamHead(DeferredResponse)
        /// A streamed response has bytes to send, or ended.
        case streamFlush(DeferredResponse)
    }

    /// This loop's place in the server; the top byte of its WebSocket connection ids.
    let index: Int

    let context: TransportContext
    let epollFD: Int32
    private let wakeFD: Int32
    private var listenFD: Int32
    /// Spare descriptor closed to accept-and-drop a connection when the process is out of fds.
    private var reserveFD: Int32
    private var connections: [Connection?] = []
    /// Other descriptors this loop watches (outbound connections, child processes).
    private var watchers: [Int32: LoopWatcher] = [:]
    var timers = TimerQueue()
    /// Upgraded connections by their WebSocket id.
    var webSockets: [WebSocketEndpoint.ConnectionID: Connection] = [:]
    var nextGeneration: UInt64 = 0
    private let mailbox = Mutex<[Message]>([])
    private let wakePending = Atomic<Bool>(false)
    /// The loop's thread (pthread_t as an integer), so work can tell whether it runs on it.
    private let threadID = Atomic<UInt>(0)
    /// Messages this loop's own thread handed over (`deliver`): handled after the current
    /// event, with no lock and no wake-up.
    private var localMessages: [Message] = []
    var now: UInt64 = MonotonicClock.milliseconds()
    private var dateSecond = -1
    var dateHeader: [UInt8] = []
    var draining = false
    var settings: TransportSettings { context.settings }

    init(index: Int, listenFD: Int32, context: TransportContext) {
        self.index = index
        self.context = context
        self.listenFD = listenFD
        epollFD = shim_epoll_create()
        wakeFD = shim_eventfd()
        reserveFD = open("/dev/null", O_RDONLY | O_CLOEXEC)
        precondition(epollFD >= 0 && wakeFD >= 0, "epoll/eventfd unavailable")
        _ = shim_epoll_ctl(epollFD, SHIM_EPOLL_CTL_ADD, listenFD, SHIM_EPOLLIN, UInt64(listenFD))
        _ = shim_epoll_ctl(epollFD, SHIM_EPOLL_CTL_ADD, wakeFD, SHIM_EPOLLIN, UInt64(wakeFD))
    }

    /// Hands a message to the loop from any thread.
    func post(_ message: Message) {
        mailbox.withLock { $0.append(message) }
        if !wakePending.exchange(true, ordering: .acquiringAndReleasing) { _ = shim_eventfd_signal(wakeFD) }
    }

    /// Whether the caller runs on this loop's thread.
    var isCurrent: Bool { threadID.load(ordering: .relaxed) == UInt(pthread_self()) }

    /// Hands a message to the loop from any thread: on the loop's own thread it is handled
    /// after the current event (never inside the caller, so a plugin's lock held around the
    /// call cannot be re-entered), elsewhere it is posted.
    func deliver(_ message: Message) {
        if isCurrent { localMessages.append(message) } else { post(message) }
    }

    private func handleLocalMessages() {
        while !localMessages.isEmpty {
            let batch = localMessages
            localMessages.removeAll(keepingCapacity: true)
            for message in batch { handle(message) }
        }
    }

    /// The loop's body; never returns.
    func run() -> Never {
        threadID.store(UInt(pthread_self()), ordering: .relaxed)
        LoopThread.markCurrent()
        var events = [shim_epoll_event](repeating: shim_epoll_event(), count: 256)
        var lastSweep = now
        while true {
            let timeout = timers.wait(now: MonotonicClock.milliseconds(), limit: 500)
            let count = events.withUnsafeMutableBufferPointer { shim_epoll_wait(epollFD, $0.baseAddress, 256, timeout) }
            now = MonotonicClock.milliseconds()
            for index in 0..<Int(max(count, 0)) {
                let fd = Int32(truncatingIfNeeded: events[index].data)
                let flags = events[index].events
                if fd == listenFD {
                    acceptConnections()
                } else if fd == wakeFD {
                    drainMailbox()
                } else if let connection = connection(fd) {
                    let hangup = connection.stream != nil ? SHIM_EPOLLHUP | SHIM_EPOLLERR | SHIM_EPOLLRDHUP
                                                          : SHIM_EPOLLHUP | SHIM_EPOLLERR
                    if connection.readingPaused && flags & hangup != 0 {
                        // The peer is gone while a worker runs its request: nobody can read the
                        // answer, and level-triggered HUP would otherwise report again and again.
                        closeConnection(connection)
                        continue
                    }
                    if flags & (SHIM_EPOLLIN | SHIM_EPOLLHUP | SHIM_EPOLLERR | SHIM_EPOLLRDHUP) != 0 {
                        handleReadable(connection)
                    }
                    if flags & SHIM_EPOLLOUT != 0, self.connection(fd) === connection {
                        writable(connection)
                    }
                } else if let watcher = watchers[fd] {
                    watcher.ready(flags, on: self)
                }
                handleLocalMessages()
            }
            let scheduled = timers.lastToken
            while let action = timers.popDue(now: now, through: scheduled) { action() }
            handleLocalMessages()
            if now &- lastSweep >= 250 {
                sweepTimeouts()
                lastSweep = now
            }
        }
    }

    // MARK: Accepting

    private func acceptConnections() {
        var address = [CChar](repeating: 0, count: 64)
        for _ in 0..<64 {
            let fd = shim_accept(listenFD, &address, 64)
            if fd < 0 {
                let error = shim_errno()
                if error == EINTR || error == ECONNABORTED { continue }
                if error == EMFILE || error == ENFILE { shedOneConnection() }
                return
            }
            if context.counters.openConnections.load(ordering: .relaxed) >= settings.maxConnections {
                close(fd)
                continue
            }
            let peer = String(decoding: address.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            let admission = context.connectionsPerAddress.admit(peer, now: now)
            if case .refused(let log) = admission {
                close(fd)
                if log {
                    context.logger.log(.warn, "connection refused: too many from one address",
                                       ["client_ip": peer, "limit": String(settings.maxConnectionsPerAddress)])
                }
                continue
            }
            context.counters.openConnections.add(1, ordering: .relaxed)
            _ = shim_set_nodelay(fd)
            nextGeneration += 1
            let connection = Connection(fd: fd, generation: nextGeneration, client: ClientAddress(peer))
            connection.countedPerAddress = admission == .admitted
            connection.deadline = now + settings.headerTimeoutMilliseconds
            if Int(fd) >= connections.count {
                connections.append(contentsOf: repeatElement(nil, count: Int(fd) + 1 - connections.count + 64))
            }
            connections[Int(fd)] = connection
            connection.registeredEvents = SHIM_EPOLLIN | SHIM_EPOLLRDHUP
            _ = shim_epoll_ctl(epollFD, SHIM_EPOLL_CTL_ADD, fd, connection.registeredEvents, UInt64(fd))
        }
    }

    /// Out of descriptors: free the spare one, accept and close a pending connection so the
    /// listening socket stops reporting readable (level-triggered epoll would spin otherwise).
    private func shedOneConnection() {
        guard reserveFD >= 0 else { return }
        close(reserveFD)
        var address = [CChar](repeating: 0, count: 64)
        let fd = shim_accept(listenFD, &address, 64)
        if fd >= 0 { close(fd) }
        reserveFD = open("/dev/null", O_RDONLY | O_CLOEXEC)
        context.logger.log(.warn, "out of file descriptors; dropped a connection")
    }

    func connection(_ fd: Int32) -> Connection? {
        Int(fd) < connections.count ? connections[Int(fd)] : nil
    }

    // MARK: Reading and parsing

    private func handleReadable(_ connection: Connection) {
        if connection.readingPaused { return }
        guard let count = readInput(connection) else { return }
        if connection.webSocket != nil {
            handleWebSocketInput(connection, count)
            return
        }
        switch connection.state {
        case .lingering, .closingAfterWrite:
            // Nothing more will be parsed: drop it rather than let it pile up.
            connection.input.removeAll()
            connection.discardedInput = true
            return
        default:
            break
        }
        processInput(connection)
        flush(connection)
        refreshReading(connection)
    }

    /// Reads what fits under the input cap; nil when nothing was read (and closes the
    /// connection when the peer is gone).
    func readInput(_ connection: Connection) -> Int? {
        let room = inputCap(connection) - connection.input.count
        guard room > 0 else {
            refreshReading(connection)
            return nil
        }
        let space = connection.input.writableSpace(minimum: min(16 * 1024, room))
        let count = read(connection.fd, space.baseAddress, min(space.count, room))
        if count == 0 || (count < 0 && shim_errno() != EAGAIN && shim_errno() != EINTR) {
            closeConnection(connection)
            return nil
        }
        guard count > 0 else { return nil }
        connection.input.didWrite(count)
        return count
    }

    /// The most unparsed input a connection may hold: one whole request (head and body at
    /// their limits) or WebSocket frame, plus one read.
    private func inputCap(_ connection: Connection) -> Int {
        let message = connection.webSocket != nil
            ? settings.webSocketMaxMessageBytes + 14 : settings.limits.maxHeadBytes + settings.limits.maxBodyBytes
        return message + 16 * 1024
    }

    /// Whether the connection should be reading now: not while a worker has its request,
    /// its unsent output is over its bound, its input buffer is full, or (WebSocket) too many
    /// of its messages wait for workers.
    private func mayRead(_ connection: Connection) -> Bool {
        if case .processing = connection.state { return false }
        if connection.input.count >= inputCap(connection) { return false }
        guard let channel = connection.webSocket else {
            return connection.outputBacklog <= settings.maxOutputBacklogBytes
        }
        return connection.outputBacklog <= settings.webSocketSendQueueBytes && !channel.inbound.isOverBound
    }

    /// Pauses or resumes reading to match `mayRead`.
    func refreshReading(_ connection: Connection) {
        let paused = !mayRead(connection)
        if paused != connection.readingPaused { setReading(connection, paused: paused) }
    }

    /// Parses and dispatches every complete request in the buffer, in order.
    private func processInput(_ connection: Connection) {
        while true {
            switch connection.state {
            case .readingHead:
                guard !connection.input.isEmpty else {
                    connection.deadline = now + settings.idleTimeoutMilliseconds
                    return
                }
                if connection.requestStartedAt == 0 {
                    connection.requestStartedAt = MonotonicClock.nanoseconds()
                    connection.deadline = now + settings.headerTimeoutMilliseconds
                }
                let parsed: HTTPRequestHead?
                do {
                    parsed = try HTTPRequestParser.parse(connection.input.readable, limits: settings.limits)
                } catch {
                    fail(connection, status: error.status, message: error.reason)
                    return
                }
                guard let head = parsed else { return }
                // The whole body has one deadline, however slowly it trickles in.
                connection.deadline = now + settings.bodyTimeoutMilliseconds
                switch head.framing {
                case .none, .contentLength(0):
                    complete(connection, head: head, bodyLength: 0)
                case .contentLength:
                    connection.state = .readingBody(head, nil)
                case .chunked:
                    connection.chunkedHead = Array(UnsafeRawBufferPointer(
                        rebasing: connection.input.readable[0..<head.headLength]))
                    connection.input.consume(head.headLength)
                    connection.state = .readingBody(head, ChunkedBodyDecoder(maxBodyBytes: settings.limits.maxBodyBytes))
                }
            case .readingBody(let head, var decoder):
                if decoder != nil {
                    do {
                        let consumed = try decoder!.decode(connection.input.readable, into: &connection.chunkedBody)
                        connection.input.consume(consumed)
                    } catch {
                        fail(connection, status: error.status, message: error.reason)
                        return
                    }
                    guard decoder!.isComplete else {
                        connection.state = .readingBody(head, decoder)
                        sendContinueIfExpected(connection, head)
                        return
                    }
                    complete(connection, head: head, bodyLength: connection.chunkedBody.count)
                } else if case .contentLength(let length) = head.framing {
                    guard connection.input.count >= head.headLength + length else {
                        sendContinueIfExpected(connection, head)
                        return
                    }
                    complete(connection, head: head, bodyLength: length)
                }
            case .processing, .closingAfterWrite, .lingering, .webSocket:
                return
            }
            if connection.outputBacklog > settings.maxOutputBacklogBytes { return }
        }
    }

    private func sendContinueIfExpected(_ connection: Connection, _ head: HTTPRequestHead) {
        guard head.expectsContinue, !connection.sentContinue, head.version == .http11 else { return }
        connection.sentContinue = true
        connection.output.append(contentsOf: "HTTP/1.1 100 Continue\r\n\r\n".utf8)
    }

    /// Builds the request from the buffered head and body and runs or dispatches it.
    private func complete(_ connection: Connection, head: HTTPRequestHead, bodyLength: Int) {
        let storage = UnsafeMutableRawBufferPointer.allocate(byteCount: head.headLength + bodyLength, alignment: 8)
        if head.framing == .chunked {
            connection.chunkedHead.withUnsafeBytes { storage.copyMemory(from: $0) }
            connection.chunkedBody.withUnsafeBytes {
                UnsafeMutableRawBufferPointer(rebasing: storage[head.headLength...]).copyMemory(from: $0)
            }
            connection.chunkedHead = []
            connection.chunkedBody = []
        } else {
            let unread = connection.input.readable
            storage.copyMemory(from: UnsafeRawBufferPointer(rebasing: unread[0..<(head.headLength + bodyLength)]))
            connection.input.consume(head.headLength + bodyLength)
        }
        connection.sentContinue = false
        context.counters.requestsInFlight.add(1, ordering: .relaxed)
        let request = RequestContext(
            storage: storage, head: head, bodyRange: head.headLength..<(head.headLength + bodyLength),
            clientIP: connection.client, receivedAt: connection.requestStartedAt)
        connection.requestStartedAt = 0
        if let supplied = request.headerRange("x-request-id"), RequestIdentifier.isSane(request.bytes(supplied)) {
            request.requestID = Array(request.bytes(supplied))
        } else {
            request.requestID = RequestIdentifier.generate()
        }
        let pipeline = context.pipeline
        pipeline.route(request)
        request.origin = RequestOrigin(loop: self, fd: connection.fd, generation: connection.generation)
        guard pipeline.canRunInline(request) else {
            runOnWorker(connection, request, from: 0)
            return
        }
        if !pipeline.run(request) {
            // An inline step must block this time (ABI 1.5): a worker goes on from there.
            runOnWorker(connection, request, from: request.resumePosition ?? 0)
        } else if request.isDeferred {
            // An inline handler deferred (ABI 1.5): the connection waits as for a worker's (a
            // response finished already is on its way as `.completed`).
            waitForAnswer(connection)
            if let deferred = request.deferred { adopt(deferred) }
        } else {
            finish(connection, request)
        }
    }

    private func runOnWorker(_ connection: Connection, _ request: RequestContext, from position: Int) {
        waitForAnswer(connection)
        let (pipeline, fd, generation) = (context.pipeline, connection.fd, connection.generation)
        context.workers.submit { [self] in
            pipeline.run(request, from: position)
            if request.isDeferred {
                // A response finished already is on its way as `.completed`.
                if let deferred = request.deferred { post(.deferred(deferred)) }
            } else {
                post(.completed(fd: fd, generation: generation, request))
            }
        }
    }

    /// The connection's request runs elsewhere (a worker, or a deferred response): stop
    /// reading its next one until it is answered.
    private func waitForAnswer(_ connection: Connection) {
        connection.state = .processing
        connection.deadline = 0
        setReading(connection, paused: true)
    }

    /// Serialises the response; the connection then reads the next request or closes.
    private func finish(_ connection: Connection, _ request: RequestContext) {
        context.counters.requestsInFlight.subtract(1, ordering: .relaxed)
        if let endpoint = request.upgrade, request.response.status == 101, !draining {
            upgrade(connection, request, to: endpoint)
            return
        }
        let keepAlive = request.head.keepAlive && !draining
        if request.head.version == .http10 && keepAlive {
            request.response.addHeader("Connection", "keep-alive")
        }
        refreshDate()
        ResponseSerializer.append(
            request.response, requestID: request.requestID, keepAlive: keepAlive, omitBody: request.isHead,
            date: dateHeader, to: &connection.output)
        connection.state = keepAlive ? .readingHead : .closingAfterWrite
        refreshReading(connection)
    }

    /// Answers a request that cannot be parsed or timed out, then closes (lingering).
    private func fail(_ connection: Connection, status: Int, message: String) {
        var response = ResponseDraft()
        response.replace(status: status, contentType: "application/json",
                         body: ErrorBody.render(type: ErrorBody.type(for: status), message: message))
        refreshDate()
        ResponseSerializer.append(
            response, requestID: RequestIdentifier.generate(), keepAlive: false, omitBody: false, date: dateHeader,
            to: &connection.output)
        connection.state = .lingering
        connection.input.removeAll()
        connection.chunkedHead = []
        connection.chunkedBody = []
        connection.deadline = now + settings.lingerMilliseconds
        refreshReading(connection)
    }

    // MARK: Writing

    func flush(_ connection: Connection) {
        while connection.hasPendingOutput {
            let written = connection.output.withUnsafeBytes { bytes in
                write(connection.fd, bytes.baseAddress! + connection.outputSent, bytes.count - connection.outputSent)
            }
            if written > 0 {
                connection.outputSent += written
            } else if written < 0 && shim_errno() == EINTR {
                continue
            } else if written < 0 && shim_errno() == EAGAIN {
                if !connection.wantsWritable {
                    connection.wantsWritable = true
                    updateInterest(connection)
                }
                connection.deadline = now + settings.idleTimeoutMilliseconds
                return
            } else {
                closeConnection(connection)
                return
            }
        }
        if connection.output.capacity > 1 << 20 {
            connection.output = []
        } else {
            connection.output.removeAll(keepingCapacity: true)
        }
        connection.outputSent = 0
        if connection.wantsWritable {
            connection.wantsWritable = false
            updateInterest(connection)
        }
        switch connection.state {
        case .closingAfterWrite:
            if connection.input.isEmpty && !connection.discardedInput && !connection.readingPaused {
                closeConnection(connection)
            } else {
                connection.state = .lingering
                connection.input.removeAll()
                connection.deadline = now + settings.lingerMilliseconds
                shutdown(connection.fd, Int32(SHUT_WR))
            }
        case .lingering:
            shutdown(connection.fd, Int32(SHUT_WR))
        case .readingHead where connection.input.isEmpty:
            if draining { closeConnection(connection) }
        default:
            break
        }
    }

    /// The socket can take more: write, then parse what waited for the backlog to drain.
    private func writable(_ connection: Connection) {
        flush(connection)
        guard self.connection(connection.fd) === connection, !connection.hasPendingOutput else { return }
        if connection.webSocket != nil {
            resumeWebSocket(connection)
        } else if let stream = connection.stream {
            if connection.streamHeadSent { stream.socketDrained(backlog: connection.outputBacklog) }
        } else if case .readingHead = connection.state, !connection.input.isEmpty {
            processInput(connection)
            flush(connection)
        }
        refreshReading(connection)
    }

    func setReading(_ connection: Connection, paused: Bool) {
        connection.readingPaused = paused
        updateInterest(connection)
    }

    func refreshInterest(_ connection: Connection) { updateInterest(connection) }

    /// Parses requests that waited in the buffer while the connection was busy.
    func processPipelined(_ connection: Connection) { processInput(connection) }

    /// Connections waiting for or sending a deferred response.
    func streamingDescriptors() -> [Int32] {
        connections.compactMap { $0?.stream != nil ? $0?.fd : nil }
    }

    private func updateInterest(_ connection: Connection) {
        // A client waiting for a deferred or streamed response is watched for hanging up, so
        // the plugin can stop the work that feeds it.
        var events: UInt32 = connection.readingPaused ? (connection.stream != nil ? SHIM_EPOLLRDHUP : 0)
                                                      : SHIM_EPOLLIN | SHIM_EPOLLRDHUP
        if connection.wantsWritable { events |= SHIM_EPOLLOUT }
        guard events != connection.registeredEvents else { return }
        connection.registeredEvents = events
        _ = shim_epoll_ctl(epollFD, SHIM_EPOLL_CTL_MOD, connection.fd, events, UInt64(connection.fd))
    }

    func closeConnection(_ connection: Connection) {
        guard self.connection(connection.fd) === connection else { return }
        connections[Int(connection.fd)] = nil
        if let channel = connection.webSocket {
            webSockets[channel.id] = nil
            context.webSockets.closed(channel.id)
            context.counters.webSocketConnections.subtract(1, ordering: .relaxed)
            channel.notifyClosed(code: 1006)
        }
        if let stream = connection.stream {
            connection.stream = nil
            context.counters.requestsInFlight.subtract(1, ordering: .relaxed)
            stream.cancel()
        }
        close(connection.fd)
        if connection.countedPerAddress { context.connectionsPerAddress.release(connection.client.text) }
        context.counters.openConnections.subtract(1, ordering: .relaxed)
    }

    // MARK: Other descriptors

    /// Watches `fd` for `events` (SHIM_EPOLLIN | SHIM_EPOLLOUT ...) until `unwatch`. Loop thread.
    func watch(_ fd: Int32, events: UInt32, _ watcher: LoopWatcher) {
        watchers[fd] = watcher
        _ = shim_epoll_ctl(epollFD, SHIM_EPOLL_CTL_ADD, fd, events, UInt64(fd))
    }

    func changeWatch(_ fd: Int32, events: UInt32) {
        _ = shim_epoll_ctl(epollFD, SHIM_EPOLL_CTL_MOD, fd, events, UInt64(fd))
    }

    /// Stops watching `fd` (before the owner closes it).
    func unwatch(_ fd: Int32) {
        guard watchers.removeValue(forKey: fd) != nil else { return }
        _ = shim_epoll_ctl(epollFD, SHIM_EPOLL_CTL_DEL, fd, 0, 0)
    }

    // MARK: Timers, mailbox, draining

    private func sweepTimeouts() {
        for case let connection? in connections where connection.deadline != 0 && now >= connection.deadline {
            switch connection.state {
            case .readingHead where connection.input.isEmpty:
                closeConnection(connection)
            case .readingHead, .readingBody:
                fail(connection, status: 408, message: "The request was not received in time.")
                flush(connection)
            case .processing:
                sweepStream(connection)
            case .closingAfterWrite, .lingering:
                closeConnection(connection)
            case .webSocket:
                // Only a close handshake sets a deadline: the peer never answered it.
                closeConnection(connection)
            }
        }
        for case let connection? in connections where connection.streamHeadSent { pingIdleStreams(connection) }
        sweepWebSockets()
    }

    private func drainMailbox() {
        shim_eventfd_drain(wakeFD)
        wakePending.store(false, ordering: .sequentiallyConsistent)
        let messages = mailbox.withLock { pending -> [Message] in
            defer { pending.removeAll(keepingCapacity: true) }
            return pending
        }
        for message in messages { handle(message) }
    }

    private func handle(_ message: Message) {
        switch message {
        case .completed(let fd, let generation, let request):
            guard let connection = connection(fd), connection.generation == generation else {
                context.counters.requestsInFlight.subtract(1, ordering: .relaxed)  // its client left
                return
            }
            if connection.stream?.context === request { connection.stream = nil }
            finish(connection, request)
            processInput(connection)
            flush(connection)
            // finish paused reading while the answer was unsent; if it went out in one write,
            // no writable event will come to resume it.
            if self.connection(fd) === connection { refreshReading(connection) }
        case .drain:
            startDraining()
        case .webSocketSend(let id, let frame):
            if let connection = webSockets[id] { send(frame, to: connection) }
        case .webSocketBroadcast(let ids, let frame):
            for id in ids {
                if let connection = webSockets[id] { send(frame, to: connection) }
            }
        case .webSocketClose(let id, let code, let reason):
            if let connection = webSockets[id] { startClose(connection, code: code, reason: reason) }
        case .webSocketResume(let id):
            if let connection = webSockets[id] { resumeWebSocket(connection) }
        case .webSocketRenew(let id, let expiresAt):
            webSockets[id]?.webSocket?.expiresAt = expiresAt
        case .run(let work):
            work(self)
        case .deferred(let response):
            adopt(response)
        case .streamHead(let response):
            sendStreamHead(response)
        case .streamFlush(let response):
            if let connection = connection(response.fd), connection.stream === response, connection.streamHeadSent {
                pump(connection, response)
            }
        }
    }

    /// Stops accepting and closes idle connections; busy ones close after their response.
    private func startDraining() {
        draining = true
        _ = shim_epoll_ctl(epollFD, SHIM_EPOLL_CTL_DEL, listenFD, 0, 0)
        close(listenFD)
        listenFD = -1
        for case let connection? in connections {
            if case .readingHead = connection.state, connection.input.isEmpty, !connection.hasPendingOutput {
                closeConnection(connection)
            } else if connection.webSocket != nil {
                startClose(connection, code: WebSocketCloseCode.goingAway, reason: "server shutting down")
            }
        }
    }

    func refreshDate() {
        let second = time(nil)
        guard second != dateSecond else { return }
        dateSecond = second
        dateHeader = Array("Date: ".utf8) + Timestamp.httpDate(epochSeconds: second) + [13, 10]
    }
}
