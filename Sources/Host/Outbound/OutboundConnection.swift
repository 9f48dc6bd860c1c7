import CShims
import Glibc

/// One TCP connection to an origin (through a CONNECT tunnel when a proxy is configured, then
/// TLS for https), carrying one request at a time and kept alive between them. Lives on one
/// event loop and is driven by its epoll readiness; it reports to the call it carries.
// @unchecked: touched only on its event loop's thread; the resolver hands results back
// through that loop's mailbox.
final class OutboundConnection: LoopWatcher, @unchecked Sendable {
    enum Phase {
        case resolving, connecting, tunnelling, handshaking, ready, closed
    }

    /// The pool key: scheme://authority of the origin.
    let origin: String
    let target: OutboundURL
    /// The CONNECT proxy, when one is used.
    let proxy: OutboundURL?
    private unowned let owner: OutboundLoop
    private(set) var phase = Phase.resolving
    private(set) var fd: Int32 = -1
    private var stream: ByteStream?
    private var tls: TLSStream?
    /// Addresses still to try, in the resolver's order, each already allowed by the policy.
    private var candidates: [IPAddress] = []
    private var lastConnectError = ""
    private var dialing: IPAddress?
    /// The call this connection carries, nil while it waits in the pool.
    private(set) var call: OutboundCall?
    private var output: [UInt8] = []
    private var outputSent = 0
    private var input = [UInt8]()
    private var parser: ResponseParser?
    private var tunnelParser: ResponseParser?
    /// Requests this connection has carried (a reused one may have been closed by its peer).
    private(set) var exchanges = 0
    private(set) var receivedResponseBytes = false
    private var reusable = false
    private var watchedEvents: UInt32 = 0
    private var unwatchedUntilResume = false

    /// A connection being made for `call`, which waits for it.
    init(origin: String, target: OutboundURL, proxy: OutboundURL?, owner: OutboundLoop, for call: OutboundCall) {
        self.call = call
        self.origin = origin
        self.target = target
        self.proxy = proxy
        self.owner = owner
    }

    var isIdle: Bool { phase == .ready && call == nil }
    /// The host a socket connects to: the proxy's, else the origin's.
    var dialHost: OutboundURL { proxy ?? target }

    // MARK: Connecting

    /// Starts connecting to `addresses` (already checked against the policy).
    func connect(to addresses: [IPAddress]) {
        candidates = addresses
        phase = .connecting
        tryNextAddress()
    }

    private func tryNextAddress() {
        while !candidates.isEmpty {
            let address = candidates.removeFirst()
            var raw = shim_address()
            raw.family = address.isIPv4 ? AF_INET : AF_INET6
            withUnsafeMutableBytes(of: &raw.bytes) { $0.copyBytes(from: address.bytes) }
            let socket = shim_connect_tcp(&raw, Int32(dialHost.port))
            if socket < 0 {
                lastConnectError = "\(address): \(String(cString: strerror(shim_errno())))"
                continue
            }
            fd = socket
            dialing = address
            stream = PlainStream(fd: socket)
            owner.loop.watch(socket, events: SHIM_EPOLLOUT, self)
            watchedEvents = SHIM_EPOLLOUT
            return
        }
        fail(OutboundFailure(.connect, "connection to \(dialHost.authority) failed (\(lastConnectError))"))
    }

    func ready(_ events: UInt32, on loop: EventLoop) {
        switch phase {
        case .connecting: connected()
        case .tunnelling, .handshaking: advanceSetup()
        case .ready:
            if call == nil {
                // A parked connection has nothing to read: data or EOF means its peer is done with it.
                owner.discardIdle(self)
                return
            }
            if events & (SHIM_EPOLLHUP | SHIM_EPOLLERR) != 0 && !call!.wantsInput {
                // A reset peer keeps reporting HUP while the call is paused: stop watching until
                // it resumes, and let the read tell what happened.
                owner.loop.unwatch(fd)
                watchedEvents = 0
                unwatchedUntilResume = true
                return
            }
            if events & SHIM_EPOLLOUT != 0 { flush() }
            // Also after a writable event: TLS may have wanted to write for a read.
            readResponse()
        case .resolving, .closed:
            break
        }
    }

    private func connected() {
        let error = shim_socket_error(fd)
        guard error == 0 else {
            lastConnectError = "\(dialing.map(String.init(describing:)) ?? dialHost.host): \(String(cString: strerror(error)))"
            closeSocket()
            phase = .connecting
            tryNextAddress()
            return
        }
        if proxy != nil {
            phase = .tunnelling
            let request = "CONNECT \(target.host.contains(":") ? "[\(target.host)]" : target.host):\(target.port) HTTP/1.1\r\n"
                + "Host: \(target.authority)\r\n\r\n"
            output = Array(request.utf8)
            outputSent = 0
            tunnelParser = ResponseParser(maxBodyBytes: 0, isHeadRequest: true)
        } else {
            startTLSOrReady()
            return
        }
        advanceSetup()
    }

    /// Drives the CONNECT exchange and the TLS handshake until they need the socket again.
    private func advanceSetup() {
        if phase == .tunnelling {
            guard flushRaw() else { return }
            guard let head = readTunnelHead() else { return }
            guard head.status == 200 else {
                fail(OutboundFailure(.connect, "the proxy \(dialHost.authority) refused the tunnel to \(target.authority) (status \(head.status))"))
                return
            }
            startTLSOrReady()
            return
        }
        guard phase == .handshaking, let tls else { return }
        switch tls.handshake() {
        case .bytes:
            let negotiated = tls.negotiatedProtocol
            guard negotiated.isEmpty || negotiated == "http/1.1" else {
                fail(OutboundFailure(.tls, "\(target.authority) chose ALPN protocol \(negotiated), not http/1.1"))
                return
            }
            becomeReady()
        case .wantRead: watch(SHIM_EPOLLIN)
        case .wantWrite: watch(SHIM_EPOLLOUT)
        case .closed: fail(OutboundFailure(.tls, "\(target.authority) closed the connection during the TLS handshake"))
        case .failed(let reason): fail(OutboundFailure(.tls, "TLS with \(target.authority) failed: \(reason)"))
        }
    }

    private func startTLSOrReady() {
        guard target.scheme == .https else {
            becomeReady()
            return
        }
        guard let context = owner.client.tlsContext else {
            fail(OutboundFailure(.tls, "TLS is not available"))
            return
        }
        do {
            let session = try TLSStream(context: context, fd: fd, host: target.host, address: target.address)
            tls = session
            stream = session
            phase = .handshaking
            advanceSetup()
        } catch {
            fail(error)
        }
    }

    private func becomeReady() {
        phase = .ready
        owner.connectionReady(self)
    }

    /// The proxy's answer to CONNECT, read without reading past its head (TLS bytes follow).
    private func readTunnelHead() -> ResponseParser.Head? {
        var byte: UInt8 = 0
        while true {
            let result = withUnsafeMutableBytes(of: &byte) { stream!.read(into: $0) }
            switch result {
            case .bytes:
                input.append(byte)
                var outputs: [ResponseParser.Output] = []
                if case .failure(let error) = input.withUnsafeBytes({ bytes in
                    Result { () throws(OutboundFailure) in try tunnelParser!.parse(bytes, into: &outputs) }
                }) {
                    fail(OutboundFailure(.connect, "the proxy \(dialHost.authority) answered CONNECT with \(error.message)"))
                    return nil
                }
                if case .head(let head)? = outputs.first {
                    input.removeAll()
                    return head
                }
                if input.count > ResponseParser.maxHeadBytes { return nil }
            case .wantRead:
                watch(SHIM_EPOLLIN)
                return nil
            case .wantWrite:
                watch(SHIM_EPOLLOUT)
                return nil
            case .closed, .failed:
                fail(OutboundFailure(.connect, "the proxy \(dialHost.authority) closed the connection instead of a tunnel"))
                return nil
            }
        }
    }

    // MARK: Exchanges

    /// Sends `call`'s request on this ready connection.
    func send(_ call: OutboundCall) {
        self.call = call
        exchanges += 1
        receivedResponseBytes = false
        reusable = false
        input.removeAll(keepingCapacity: true)
        output = call.request.serialized()
        outputSent = 0
        parser = ResponseParser(maxBodyBytes: call.options.maxResponseBytes, isHeadRequest: call.request.method == "HEAD")
        flush()
        if phase == .ready { readResponse() }
    }

    private func flush() {
        guard flushRaw() else { return }
        refreshInterest()
    }

    /// Writes what is queued; false while some remains (or the connection failed).
    private func flushRaw() -> Bool {
        while outputSent < output.count {
            let result = output.withUnsafeBytes { stream!.write(UnsafeRawBufferPointer(rebasing: $0[outputSent...])) }
            switch result {
            case .bytes(let count): outputSent += count
            case .wantWrite:
                watch(SHIM_EPOLLOUT)
                return false
            case .wantRead:
                watch(SHIM_EPOLLIN)
                return false
            case .closed: fail(OutboundFailure(.connect, "\(target.authority) closed the connection while the request was sent"))
                return false
            case .failed(let reason): fail(OutboundFailure(.connect, "sending to \(target.authority) failed: \(reason)"))
                return false
            }
        }
        if output.count > 64 * 1024 { output = [] } else { output.removeAll(keepingCapacity: true) }
        outputSent = 0
        return true
    }

    /// Reads and parses what the peer sent, as long as the call wants more.
    func readResponse() {
        guard phase == .ready, let call, parser != nil else { return }
        while call.wantsInput && phase == .ready && self.call === call {
            let buffer = owner.readBuffer
            switch stream!.read(into: buffer) {
            case .bytes(let count):
                receivedResponseBytes = true
                input += UnsafeRawBufferPointer(rebasing: buffer[0..<count])
                guard parseInput() else { return }
            case .wantRead:
                refreshInterest()
                return
            case .wantWrite:
                watch(SHIM_EPOLLOUT)
                return
            case .closed:
                var outputs: [ResponseParser.Output] = []
                do {
                    try parser!.close(into: &outputs)
                    deliver(outputs)
                } catch {
                    fail(error)
                }
                return
            case .failed(let reason):
                fail(OutboundFailure(.protocol, "reading from \(target.authority) failed: \(reason)"))
                return
            }
        }
        refreshInterest()
    }

    /// Feeds the buffered input to the parser; false once the exchange ended.
    private func parseInput() -> Bool {
        var outputs: [ResponseParser.Output] = []
        let parsed = input.withUnsafeBytes { bytes in
            Result { () throws(OutboundFailure) in try parser!.parse(bytes, into: &outputs) }
        }
        guard case .success(let consumed) = parsed else {
            if case .failure(let error) = parsed { fail(error) }
            return false
        }
        input.removeFirst(consumed)
        return deliver(outputs)
    }

    /// Hands parsed pieces to the call; false once the exchange ended.
    @discardableResult
    private func deliver(_ outputs: [ResponseParser.Output]) -> Bool {
        for piece in outputs {
            guard let call else { return false }
            switch piece {
            case .head(let head):
                reusable = head.keepAlive
                call.received(head: head, on: self)
            case .body(let bytes):
                call.received(body: bytes)
            case .end:
                // Bytes after the response, or a request not fully sent: the stream is out of step.
                reusable = reusable && input.isEmpty && output.isEmpty
                self.call = nil
                parser = nil
                call.receivedEnd(from: self)
                return false
            }
        }
        return self.call != nil
    }

    /// Whether the finished exchange left the connection fit for another request.
    var isReusable: Bool { reusable && phase == .ready }

    /// Drops the current exchange (a cancel, a timeout, a redirect); the connection is closed.
    func abandon() {
        call = nil
        close()
    }

    // MARK: Failure and closing

    /// Connecting or the exchange failed (or the resolver or policy refused before a socket
    /// existed): the connection closes and its call decides (retry on a new one or give up).
    func fail(_ failure: OutboundFailure) {
        let call = self.call
        self.call = nil
        close()
        call?.connectionFailed(failure, connection: self)
    }


    func close() {
        guard phase != .closed else { return }
        closeSocket()
        phase = .closed
        tls = nil
        stream = nil
        owner.connectionClosed(self)
    }

    private func closeSocket() {
        guard fd >= 0 else { return }
        owner.loop.unwatch(fd)
        Glibc.close(fd)
        fd = -1
        watchedEvents = 0
    }

    /// Watches for what the connection needs now: output to flush, input the call wants, or
    /// (parked) the peer closing.
    func refreshInterest() {
        guard phase == .ready else { return }
        var events: UInt32 = 0
        if outputSent < output.count { events |= SHIM_EPOLLOUT }
        if call == nil || call!.wantsInput { events |= SHIM_EPOLLIN | SHIM_EPOLLRDHUP }
        watch(events)
    }

    private func watch(_ events: UInt32) {
        guard fd >= 0, !unwatchedUntilResume, events != watchedEvents else { return }
        watchedEvents = events
        owner.loop.changeWatch(fd, events: events)
    }

    /// Resumes reading after the call had stopped it (TLS may hold decrypted bytes the socket
    /// will not report).
    func resumeReading() {
        guard phase == .ready, call != nil else { return }
        if unwatchedUntilResume {
            unwatchedUntilResume = false
            owner.loop.watch(fd, events: 0, self)
        }
        if !input.isEmpty, !parseInput() { return }
        readResponse()
    }
}
