import Glibc

/// The outbound client's share of one event loop: its calls, connections, kept-alive pool and
/// the calls waiting for a free connection slot. Touched only on the loop's thread.
// @unchecked: touched only on its event loop's thread; other threads reach it by posting
// closures to that loop.
final class OutboundLoop: @unchecked Sendable {
    let loop: EventLoop
    unowned let client: OutboundClient
    private var calls: [UInt64: OutboundCall] = [:]
    private var connections: [ObjectIdentifier: OutboundConnection] = [:]
    private var idle: IdlePool<OutboundConnection>
    private var waiters: [String: [OutboundCall]] = [:]
    private var evictionTimer: TimerQueue.Token?
    /// One read buffer for every connection of the loop (they read one at a time).
    let readBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)

    static let maxIdleMilliseconds: UInt64 = 30_000
    static let shuttingDown = OutboundFailure(.shutdown, "the server is shutting down")

    init(loop: EventLoop, client: OutboundClient) {
        self.loop = loop
        self.client = client
        idle = IdlePool(maxIdleMilliseconds: Self.maxIdleMilliseconds, maxPerOrigin: client.slots.capacity)
    }

    func start(_ call: OutboundCall) {
        calls[call.id] = call
        call.begin()
    }

    /// Finds `call` a connection: a parked one of its origin, a new one if the origin has a
    /// free slot, else a place in line.
    func dispatch(_ call: OutboundCall, freshConnection: Bool = false) {
        if client.isStopping {
            // A slot freed by shutdown's own closing must not start a new connection.
            call.fail(Self.shuttingDown)
            return
        }
        if client.policy.denyAll {
            // Not even a DNS query leaves.
            call.fail(OutboundFailure(.refused, OutboundPolicy.disabledMessage))
            return
        }
        let origin = call.request.url.origin
        if !freshConnection, let parked = idle.take(origin: origin) {
            client.slots.parked(origin, loop: loop.index, change: -1)
            call.send(on: parked)
            return
        }
        guard client.slots.open(origin) else {
            waiters[origin, default: []].append(call)
            client.slots.wait(origin, loop: loop.index)
            client.releaseIdle(origin, except: self)
            return
        }
        let url = call.request.url
        let proxy = client.proxies.proxy(for: url)
        let connection = OutboundConnection(origin: origin, target: url, proxy: proxy, owner: self, for: call)
        connections[ObjectIdentifier(connection)] = connection
        call.attach(connection)
        let dial = proxy ?? url
        if let address = dial.address {
            addressesResolved(.success([address]), for: connection)
            return
        }
        client.resolver.resolve(dial.host) { [loop] result in
            loop.post(.run { _ in self.addressesResolved(result, for: connection) })
        }
    }

    /// The name resolved: connect to the addresses the policy allows (every one is checked;
    /// with none left the call is refused before any connection is tried). Through a proxy
    /// the host connects only to the proxy, the operator's own choice: an IP-literal target
    /// is still judged, a name is the proxy's to resolve.
    private func addressesResolved(_ result: Result<[IPAddress], OutboundFailure>, for connection: OutboundConnection) {
        guard connection.phase == .resolving, connection.call != nil else { return }
        let addresses: [IPAddress]
        switch result {
        case .failure(let failure):
            connection.fail(failure)
            return
        case .success(let found):
            addresses = found
        }
        if connection.proxy != nil {
            if let target = connection.target.address, let refusal = client.policy.refusal(of: target) {
                connection.fail(OutboundFailure(.refused, refusal))
            } else {
                connection.connect(to: addresses)
            }
            return
        }
        let allowed = addresses.filter { client.policy.refusal(of: $0) == nil }
        guard !allowed.isEmpty else {
            let name = connection.target.address == nil ? "\(connection.target.host) resolves to " : ""
            connection.fail(OutboundFailure(.refused, name + client.policy.refusal(of: addresses[0])!))
            return
        }
        connection.connect(to: allowed)
    }

    func connectionReady(_ connection: OutboundConnection) {
        connection.call?.send(on: connection)
    }

    /// A finished exchange's connection: to the next waiting call, the pool, or closed.
    func release(_ connection: OutboundConnection) {
        guard connection.isReusable, !client.isStopping else {
            connection.close()
            return
        }
        if let next = nextWaiter(connection.origin) {
            next.send(on: connection)
            return
        }
        client.slots.parked(connection.origin, loop: loop.index, change: 1)
        if let surplus = idle.put(connection, origin: connection.origin, now: loop.now) {
            client.slots.parked(connection.origin, loop: loop.index, change: -1)
            surplus.close()
        }
        connection.refreshInterest()
        scheduleEviction()
    }

    /// A call gave its connection up mid-exchange (cancel, timeout, redirect): its state is
    /// unknown, so it is closed.
    func abandon(_ connection: OutboundConnection, by call: OutboundCall) {
        if connection.call === call || connection.call == nil { connection.abandon() }
    }

    /// A parked connection's peer closed it (or sent something it never asked for).
    func discardIdle(_ connection: OutboundConnection) {
        unpark(connection)
        connection.close()
    }

    func connectionClosed(_ connection: OutboundConnection) {
        guard connections.removeValue(forKey: ObjectIdentifier(connection)) != nil else { return }
        unpark(connection)
        let origin = connection.origin
        for index in client.slots.close(origin) {
            if index == loop.index {
                slotFreed(origin)
            } else {
                client.loop(index)?.loop.post(.run { _ in self.client.loop(index)?.slotFreed(origin) })
            }
        }
    }

    /// A slot of `origin` came free somewhere: the first call waiting here tries again.
    func slotFreed(_ origin: String) {
        guard let next = nextWaiter(origin) else { return }
        dispatch(next)
        if waiters[origin] != nil { client.slots.wait(origin, loop: loop.index) }
    }

    /// Closes one parked connection of `origin`, for a loop whose calls wait for a slot.
    func closeIdle(_ origin: String) {
        guard let parked = idle.take(origin: origin) else { return }
        client.slots.parked(origin, loop: loop.index, change: -1)
        parked.close()
    }

    private func unpark(_ connection: OutboundConnection) {
        if idle.remove(connection, origin: connection.origin) {
            client.slots.parked(connection.origin, loop: loop.index, change: -1)
        }
    }

    private func nextWaiter(_ origin: String) -> OutboundCall? {
        guard var line = waiters[origin], !line.isEmpty else { return nil }
        let next = line.removeFirst()
        waiters[origin] = line.isEmpty ? nil : line
        return next
    }

    func callEnded(_ call: OutboundCall, outcome: OutboundOutcome, message: String) {
        calls[call.id] = nil
        let origin = call.request.url.origin
        if var line = waiters[origin], let index = line.firstIndex(where: { $0 === call }) {
            line.remove(at: index)
            waiters[origin] = line.isEmpty ? nil : line
        }
        client.logCall(call, outcome: outcome, message: message)
    }

    /// The plugin cancelled `id` (delivery already holds CANCELLED).
    func abort(_ id: UInt64) { calls[id]?.abort() }

    /// Delivery caught up with `id`, or the plugin resumed it: read again.
    func resume(_ id: UInt64) { calls[id]?.connection?.resumeReading() }

    /// Ends every call with PATTERN_CLIENT_SHUTDOWN and closes every connection.
    func shutdown() {
        for call in Array(calls.values) { call.fail(Self.shuttingDown) }
        for connection in Array(connections.values) { connection.close() }
        for connection in idle.removeAll() { client.slots.parked(connection.origin, loop: loop.index, change: -1) }
        if let evictionTimer { loop.timers.cancel(evictionTimer) }
        evictionTimer = nil
    }

    private func scheduleEviction() {
        guard evictionTimer == nil else { return }
        evictionTimer = loop.timers.schedule(at: loop.now + 1000) { [unowned self] in
            evictionTimer = nil
            for connection in idle.evict(now: loop.now) {
                client.slots.parked(connection.origin, loop: loop.index, change: -1)
                connection.close()
            }
            if idle.count > 0 { scheduleEviction() }
        }
    }
}
