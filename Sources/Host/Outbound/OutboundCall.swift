/// One call's network side on its event loop: which connection carries it, its timeouts,
/// redirects and the one retry a request gets when a kept-alive connection turns out dead.
/// Everything here runs on the loop's thread; the plugin's side is `CallDelivery`.
// @unchecked: touched only on its event loop's thread (other threads reach it through that
// loop's mailbox); its plugin-facing side is the thread-safe `CallDelivery`.
final class OutboundCall: @unchecked Sendable {
    struct Options: Sendable {
        var connectTimeoutMs: UInt64 = 10_000
        var firstByteTimeoutMs: UInt64 = 60_000
        var idleTimeoutMs: UInt64 = 60_000
        /// 0: no limit beyond the others.
        var totalTimeoutMs: UInt64 = 0
        var maxResponseBytes = 16 << 20
        var followRedirects = false
        var events = false
        /// With `events`: an event's data bound; 0: none beyond `maxResponseBytes`.
        var maxEventBytes = 0
        /// Callbacks on the loop driving the call, not on workers (PATTERN_CLIENT_ON_LOOP).
        var onLoop = false
    }

    static let maxRedirects = 5

    let id: UInt64
    private(set) var request: OutboundRequest
    let options: Options
    let delivery: CallDelivery
    private unowned let owner: OutboundLoop
    private(set) var connection: OutboundConnection?
    private var redirects = 0
    private var retried = false
    private var phaseTimer: TimerQueue.Token?
    private var totalTimer: TimerQueue.Token?
    private var lastInput: UInt64 = 0
    private var events: ServerSentEventReader?
    private(set) var isFinished = false
    let startedAt = MonotonicClock.milliseconds()

    init(id: UInt64, request: OutboundRequest, options: Options, delivery: CallDelivery, owner: OutboundLoop) {
        self.id = id
        self.request = request
        self.options = options
        self.delivery = delivery
        self.owner = owner
    }

    var wantsInput: Bool { delivery.wantsInput }

    func begin() {
        if options.totalTimeoutMs > 0 {
            totalTimer = owner.loop.timers.schedule(at: owner.loop.now + options.totalTimeoutMs) { [unowned self] in
                totalTimer = nil
                fail(OutboundFailure(.timeout, "the call took longer than its total timeout (\(options.totalTimeoutMs) ms)"))
            }
        }
        armPhase(options.connectTimeoutMs) { [unowned self] in
            "no connection to \(request.url.authority) within the connect timeout (\(options.connectTimeoutMs) ms)"
        }
        owner.dispatch(self)
    }

    /// The connection this call waits for or uses.
    func attach(_ connection: OutboundConnection) { self.connection = connection }

    /// Its connection is ready: send the request and wait for the first byte of the answer.
    func send(on connection: OutboundConnection) {
        self.connection = connection
        armPhase(options.firstByteTimeoutMs) { [unowned self] in
            "no response from \(request.url.authority) within the first-byte timeout (\(options.firstByteTimeoutMs) ms)"
        }
        connection.send(self)
    }

    func received(head: ResponseParser.Head, on connection: OutboundConnection) {
        cancelPhase()
        if options.followRedirects, [301, 302, 303, 307, 308].contains(head.status), let location = head.value("location") {
            redirect(status: head.status, location: location, from: connection)
            return
        }
        delivery.push(.head(head.status, head.headers))
        if options.events && head.isEventStream { events = ServerSentEventReader(maxEventBytes: options.maxEventBytes) }
        lastInput = owner.loop.now
        armIdle()
    }

    func received(body: [UInt8]) {
        lastInput = owner.loop.now
        guard events != nil else {
            delivery.push(.data(body))
            return
        }
        do {
            for event in try events!.read(body) { delivery.push(.event(event)) }
        } catch {
            events = nil
            fail(OutboundFailure(.tooLarge, "an event passed max_event_bytes (\(options.maxEventBytes))"))
        }
    }

    func receivedEnd(from connection: OutboundConnection) {
        self.connection = nil
        owner.release(connection)
        finish(.ok, "")
    }

    /// Its connection failed. A request that a kept-alive connection took and never answered
    /// is sent once more on a fresh one when that is safe (the peer may have closed it just as
    /// it was reused); anything else ends the call.
    func connectionFailed(_ failure: OutboundFailure, connection: OutboundConnection) {
        guard !isFinished else { return }
        self.connection = nil
        if connection.exchanges > 1, !connection.receivedResponseBytes, !retried, request.isIdempotent {
            retried = true
            owner.dispatch(self, freshConnection: true)
            return
        }
        finish(failure.outcome, failure.message)
    }

    /// Ends the call with `failure` from the loop's side (timeout, shutdown).
    func fail(_ failure: OutboundFailure) {
        guard !isFinished else { return }
        abandonConnection()
        finish(failure.outcome, failure.message)
    }

    /// The plugin cancelled: delivery already holds the outcome; stop the network side.
    func abort() {
        guard !isFinished else { return }
        abandonConnection()
        finish(.cancelled, "cancelled")
    }

    private func redirect(status: Int, location: String, from connection: OutboundConnection) {
        redirects += 1
        guard redirects <= Self.maxRedirects else {
            fail(OutboundFailure(.protocol, "more than \(Self.maxRedirects) redirects"))
            return
        }
        let target: OutboundURL
        do {
            target = try request.url.resolving(location)
        } catch {
            fail(OutboundFailure(.protocol, "a redirect to an unusable Location (\(error.reason))"))
            return
        }
        request = request.redirected(status: status, to: target)
        abandonConnection()
        armPhase(options.connectTimeoutMs) { [unowned self] in
            "no connection to \(request.url.authority) within the connect timeout (\(options.connectTimeoutMs) ms)"
        }
        owner.dispatch(self)
    }

    private func abandonConnection() {
        if let connection {
            self.connection = nil
            owner.abandon(connection, by: self)
        }
    }

    private func finish(_ outcome: OutboundOutcome, _ message: String) {
        guard !isFinished else { return }
        isFinished = true
        cancelPhase()
        if let totalTimer { owner.loop.timers.cancel(totalTimer) }
        totalTimer = nil
        owner.callEnded(self, outcome: outcome, message: message)
        delivery.complete(outcome, message)
    }

    // MARK: Timers

    private func armPhase(_ milliseconds: UInt64, _ message: @escaping () -> String) {
        cancelPhase()
        phaseTimer = owner.loop.timers.schedule(at: owner.loop.now + milliseconds) { [unowned self] in
            phaseTimer = nil
            fail(OutboundFailure(.timeout, message()))
        }
    }

    /// The idle timeout between pieces of the body. It runs only while the call reads: a pause
    /// (or delivery catching up) restarts its clock.
    private func armIdle() {
        cancelPhase()
        phaseTimer = owner.loop.timers.schedule(at: lastInput + options.idleTimeoutMs) { [unowned self] in
            phaseTimer = nil
            let now = owner.loop.now
            if !wantsInput { lastInput = now }
            if now &- lastInput >= options.idleTimeoutMs {
                fail(OutboundFailure(.timeout, "nothing from \(request.url.authority) for \(options.idleTimeoutMs) ms (idle timeout)"))
            } else {
                armIdle()
            }
        }
    }

    private func cancelPhase() {
        if let phaseTimer { owner.loop.timers.cancel(phaseTimer) }
        phaseTimer = nil
    }
}
