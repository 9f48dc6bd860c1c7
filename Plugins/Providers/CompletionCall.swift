import Foundation
import PluginKit
import Synchronization

/// The provider a completion goes to, key opened.
struct ResolvedProvider: Sendable {
    var id: String
    var kind: ProviderKind
    var baseURL: String
    var apiKey: String
    var orgID: String?
}

/// One completion in flight: attempts through the host's outbound client, backoff and the
/// deadline on host timers, so no thread waits for the provider. Every callback runs on a
/// worker thread; the sink sees them one at a time, in order.
final class CompletionCall: Sendable {
    let id: UInt64
    private let request: CompletionRequest
    /// Set once by `begin`, before any attempt reads it.
    private let target = Mutex<ResolvedProvider?>(nil)
    private let sink: CompletionSink
    private let host: PluginHost
    private let client: HTTPClient
    private let deadline: ContinuousClock.Instant
    private let finished: @Sendable (UInt64) -> Void
    private let state = Mutex(State())

    private struct State {
        var attempt = 0
        var over = false
        var inFlight: HTTPClient.Call?
        var backoff: PluginHost.Timer?
        var deadlineTimer: PluginHost.Timer?
        /// A streamed delta reached the caller: from here on a failure is final.
        var relayed = false
        var status = 0
        var headers: [(name: String, value: String)] = []
        var body: [UInt8] = []
        var reply = ReplyAssembler()
        var streamFailure: (message: String, retryable: Bool)?
        var lastProblem = ""
    }

    /// Most of an error body kept for its message.
    private static let maxErrorBody = 64 * 1024

    init(id: UInt64, request: CompletionRequest, sink: CompletionSink, host: PluginHost,
         client: HTTPClient, deadline: ContinuousClock.Instant, finished: @escaping @Sendable (UInt64) -> Void) {
        self.id = id
        self.request = request
        self.sink = sink
        self.host = host
        self.client = client
        self.deadline = deadline
        self.finished = finished
    }

    private var provider: ResolvedProvider {
        target.withLock { $0 } ?? ResolvedProvider(id: "", kind: .openai, baseURL: "", apiKey: "", orgID: nil)
    }

    /// Finds the provider (on a worker: it reads the database), arms the deadline and sends the
    /// first attempt, unless the call was cancelled meanwhile.
    func begin(_ resolve: () -> Result<ResolvedProvider, CompletionOutcome>) {
        guard !state.withLock({ $0.over }) else { return }
        switch resolve() {
        case .failure(let outcome):
            finish(outcome)
            return
        case .success(let resolved):
            target.withLock { $0 = resolved }
        }
        let timer = host.timer(afterMilliseconds: remainingMilliseconds()) { [weak self] _ in self?.expire() }
        let late = state.withLock { state -> Bool in
            state.deadlineTimer = timer
            return state.over
        }
        if late { timer?.cancel() }
        send()
    }

    /// Ends the call from any thread; on_complete follows on a worker. False when it was over.
    func cancel() -> Bool { finish(.cancelled, onTimer: true) }

    private func remainingMilliseconds() -> UInt64 {
        let left = deadline - ContinuousClock.now
        return left <= .zero ? 0 : UInt64(left.components.seconds) * 1000 + UInt64(left.components.attoseconds / 1_000_000_000_000_000)
    }

    private func expire() {
        finish(.timeout("the provider did not answer within \(request.timeoutMilliseconds) ms"))
    }

    // MARK: Attempts

    private func send() {
        let remaining = remainingMilliseconds()
        guard remaining > 0 else { return expire() }
        guard let attempt = state.withLock({ state -> Int? in
            guard !state.over else { return nil }
            state.attempt += 1
            state.status = 0
            state.headers = []
            state.body = []
            state.reply = ReplyAssembler()
            state.streamFailure = nil
            state.backoff = nil
            return state.attempt
        }) else { return }
        let provider = provider
        let format = provider.kind
        let body = switch format {
        case .openai: OpenAIChatFormat.body(request)
        case .anthropic: AnthropicMessagesFormat.body(request)
        }
        let path = format == .openai ? OpenAIChatFormat.path : AnthropicMessagesFormat.path
        var outbound = HTTPClient.Request(
            method: "POST", url: ProviderKind.url(provider.baseURL, path),
            headers: format.authorization(apiKey: provider.apiKey, orgID: provider.orgID)
                + [("Content-Type", "application/json"), ("Accept", request.stream ? "text/event-stream" : "application/json")],
            body: body.jsonBytes)
        let window = UInt32(min(remaining, UInt64(UInt32.max)))
        outbound.totalTimeout = window
        outbound.firstByteTimeout = window
        outbound.idleTimeout = window
        outbound.maxResponseBytes = UInt64(ReplyAssembler.maxBytes) * 2
        let head: @Sendable (HTTPClient.Call, Int, [(name: String, value: String)]) -> Void = { [self] _, status, headers in
            current(attempt) { state in
                state.status = status
                state.headers = headers
            }
        }
        let data: @Sendable (HTTPClient.Call, [UInt8]) -> Void = { [self] _, bytes in
            current(attempt) { state in
                if state.body.count < Self.maxErrorBody || (200..<300).contains(state.status) { state.body += bytes }
            }
        }
        var event: (@Sendable (HTTPClient.Call, HTTPClient.Event) -> Void)?
        if request.stream { event = { [self] _, event in received(event, attempt: attempt) } }
        let handlers = HTTPClient.Handlers(head: head, data: data, event: event,
                                           complete: { [self] _, failure in ended(attempt: attempt, failure) })
        do throws(HTTPClient.Failure) {
            let call = try client.start(outbound, handlers)
            let late = state.withLock { state -> Bool in
                guard state.attempt == attempt, !state.over else { return true }
                state.inFlight = call
                return false
            }
            if late { call.cancel() }
        } catch {
            finish(.unavailable("the server could not start the call to the provider: \(error.message)"))
        }
    }

    /// Runs `body` on the state when `attempt` is still the live one.
    private func current(_ attempt: Int, _ body: (inout State) -> Void) {
        state.withLock { state in
            guard state.attempt == attempt, !state.over else { return }
            body(&state)
        }
    }

    private func received(_ event: HTTPClient.Event, attempt: Int) {
        var deltas: [ReplyAssembler.Delta] = []
        let provider = provider
        current(attempt) { state in
            let step = switch provider.kind {
            case .openai: OpenAIChatFormat.read(event: event.data, into: &state.reply)
            case .anthropic: AnthropicMessagesFormat.read(event: event.name, data: event.data, into: &state.reply)
            }
            switch step {
            case .deltas(let found):
                deltas = found
                if !found.isEmpty { state.relayed = true }
            case .failed(let message, let retryable):
                state.streamFailure = (ProviderErrorText.scrub(message, apiKey: provider.apiKey), retryable)
            }
        }
        // This call's events arrive one at a time, so the deltas leave in order.
        for delta in deltas { sink.delta(delta) }
    }

    private enum Next {
        case done(CompletionOutcome)
        case retry(String, headers: [(name: String, value: String)])
        case ignore
    }

    private func ended(attempt: Int, _ failure: HTTPClient.Failure?) {
        let next = state.withLock { state -> Next in
            guard state.attempt == attempt, !state.over else { return .ignore }
            state.inFlight = nil
            return decide(&state, failure)
        }
        switch next {
        case .ignore: return
        case .done(let outcome): finish(outcome)
        case .retry(let problem, let headers): retry(after: problem, headers: headers)
        }
    }

    private func decide(_ state: inout State, _ failure: HTTPClient.Failure?) -> Next {
        let provider = provider
        let key = provider.apiKey
        if let failure {
            let problem = ModelCatalog.describe(failure, apiKey: key)
            switch failure.outcome {
            case .cancelled: return .ignore
            case .timeout: return .done(.timeout("the provider did not answer within \(request.timeoutMilliseconds) ms"))
            case .refused, .tls, .dns, .tooLarge, .notStarted, .shutdown: return .done(.unavailable(problem))
            case .connect, .protocol:
                if state.relayed { return .done(.unavailable("the provider's stream broke off: \(problem)")) }
                return .retry(problem, headers: [])
            }
        }
        guard (200..<300).contains(state.status) else {
            let problem = ProviderErrorText.message(status: state.status, body: state.body, apiKey: key)
            return RetryPolicy.isRetryable(status: state.status)
                ? .retry(problem, headers: state.headers) : .done(.providerError(problem))
        }
        if request.stream {
            if let streamFailure = state.streamFailure {
                if !state.relayed && streamFailure.retryable { return .retry(streamFailure.message, headers: []) }
                return .done(.unavailable("the provider reported an error mid-stream: \(streamFailure.message)"))
            }
            guard !state.reply.overflowed else { return .done(.providerError("the provider's reply is too large")) }
            guard state.reply.ended || state.reply.finishReason != nil else {
                let problem = "the provider's stream ended before the reply was complete"
                return state.relayed ? .done(.unavailable(problem)) : .retry(problem, headers: [])
            }
            return .done(.success(state.reply.result(providerID: provider.id, requestedModel: request.model)))
        }
        return readWhole(&state)
    }

    private func readWhole(_ state: inout State) -> Next {
        let provider = provider
        guard let json = JSONValue(parsing: state.body) else {
            return .done(.providerError("the provider's reply is not JSON"))
        }
        let understood = switch provider.kind {
        case .openai: OpenAIChatFormat.read(json, into: &state.reply)
        case .anthropic: AnthropicMessagesFormat.read(json, into: &state.reply)
        }
        guard understood, !state.reply.overflowed else {
            return .done(.providerError("the provider's reply is not a \(provider.kind == .openai ? "chat completion" : "message")"))
        }
        return .done(.success(state.reply.result(providerID: provider.id, requestedModel: request.model)))
    }

    /// Waits and tries again, unless the attempts or the call's time are used up.
    private func retry(after problem: String, headers: [(name: String, value: String)]) {
        let attempt = state.withLock { state -> Int in
            state.lastProblem = problem
            return state.attempt
        }
        guard attempt < RetryPolicy.maxAttempts else {
            finish(.unavailable("\(problem) (gave up after \(attempt) attempts)"))
            return
        }
        let delay = RetryPolicy.delayMilliseconds(afterAttempt: attempt, headers: headers)
        guard delay < remainingMilliseconds() else {
            finish(.unavailable("\(problem) (a retry in \(delay) ms would pass the call's time limit)"))
            return
        }
        let timer = host.timer(afterMilliseconds: delay) { [weak self] _ in self?.send() }
        guard let timer else {
            finish(.unavailable(problem))
            return
        }
        let late = state.withLock { state -> Bool in
            guard !state.over else { return true }
            state.backoff = timer
            return false
        }
        if late { timer.cancel() }
    }

    // MARK: The end

    /// Ends the call once: stops what is still running and reports `outcome` (from a host timer
    /// when the current thread may be the caller's own).
    @discardableResult
    private func finish(_ outcome: CompletionOutcome, onTimer: Bool = false) -> Bool {
        guard let running = state.withLock({ state -> (HTTPClient.Call?, PluginHost.Timer?, PluginHost.Timer?)? in
            guard !state.over else { return nil }
            state.over = true
            defer { state.inFlight = nil; state.backoff = nil; state.deadlineTimer = nil }
            return (state.inFlight, state.backoff, state.deadlineTimer)
        }) else { return false }
        running.0?.cancel()
        running.1?.cancel()
        running.2?.cancel()
        finished(id)
        if let problem = outcome.problem {
            // Scrubbed of the key like every message here: operators see why a call failed.
            host.log(.warn, "completion \(id) with \(provider.id.isEmpty ? "no provider" : provider.id) failed: \(problem)")
        }
        let sink = sink
        if !onTimer || host.timer(afterMilliseconds: 0, { _ in sink.complete(outcome) }) == nil {
            sink.complete(outcome)
        }
        return true
    }
}
