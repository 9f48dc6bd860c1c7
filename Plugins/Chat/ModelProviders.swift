import PluginABI
import PluginKit
import Synchronization

/// The providers plugin's "providers.v1" service (pattern_providers_service.h): "complete
/// this conversation with this user's provider, streaming deltas to me".
final class ModelProviders: Sendable {
    private let host: PluginHost
    private let providers: ServiceClient<pattern_providers_v1>

    /// Looks the service up (in setUp; `requires` loads the providers plugin first).
    init(host: PluginHost) throws {
        self.host = host
        providers = try ServiceClient(host, PATTERN_PROVIDERS_SERVICE_V1, needs: \.resolve, providedBy: "providers")
    }

    /// What went wrong with a completion, as API.md's error answer.
    struct Failure: Error, Sendable, Equatable {
        var error: HTTPError

        /// providers.v1's error JSON `{type, message}` as an HTTP error.
        init(json: String) {
            let value = JSONValue(parsing: json)
            let type = value?["type"]?.stringValue ?? "provider_error"
            let message = value?["message"]?.stringValue ?? "The model provider failed."
            let status = switch type {
            case "provider_error": 502
            case "service_unavailable": 503
            case "provider_timeout": 504
            case "conflict": 409
            default: 502
            }
            error = HTTPError(status: status, type: status == 502 ? "provider_error" : type, message: message)
        }

        init(_ error: HTTPError) {
            self.error = error
        }
    }

    struct Completion: Sendable {
        var content: String
        var reasoning: String?
        var toolCalls: [ToolCall]
        var finishReason: String?
        var usage: (input: Int64, output: Int64)?
        var model: String?
    }

    static let graceMilliseconds: UInt64 = 30_000

    /// The model's context window in tokens as the provider's model list reports it; nil when
    /// it reports none. A missing provider is left for `complete` to report (409).
    func contextLength(ownerID: String, provider: String, model: String) -> Int? {
        let service = providers.table
        let request: JSONValue = ["owner_id": .string(ownerID), "model_provider": .string(provider), "model": .string(model)]
        let (status, answer) = ServiceJSON.collect { receive, userdata in
            withABIString(request.jsonText) { service.resolve($0, receive, userdata) }
        }
        guard status == PATTERN_OK, let json = answer.flatMap({ JSONValue(parsing: $0) }),
              case .integer(let length)? = json["context_length"], length > 0 else { return nil }
        return Int(clamping: length)
    }

    /// Runs one completion; `onDelta(kind, text)` gets the streamed pieces ("text" or
    /// "reasoning") in order, before this returns. No thread waits meanwhile.
    ///
    /// `timeoutMilliseconds` is the providers plugin's to keep; should it ever fail to answer,
    /// the call is cancelled `graceMilliseconds` later so the agent is never stuck.
    func complete(_ request: JSONValue, timeoutMilliseconds: UInt64,
                  onDelta: @escaping @Sendable (String, String) -> Void) async -> Result<Completion, Failure>
    {
        let service = providers.table
        return await withCheckedContinuation { continuation in
            let call = CompletionCall(onDelta: onDelta, continuation: continuation)
            let userdata = Unmanaged.passRetained(call).toOpaque()
            call.sink = pattern_completion_sink(
                struct_size: UInt32(MemoryLayout<pattern_completion_sink>.size), userdata: userdata,
                on_delta: { userdata, kind, text in
                    Unmanaged<CompletionCall>.fromOpaque(userdata!).takeUnretainedValue().onDelta(kind.string, text.string)
                },
                on_complete: { userdata, status, json in
                    // The last call: the retain taken above is released with it.
                    Unmanaged<CompletionCall>.fromOpaque(userdata!).takeRetainedValue().finish(status, json.string)
                })
            var callID: UInt64 = 0
            let status = withABIString(request.jsonText) { text in
                withUnsafePointer(to: &call.sink) { service.complete(text, $0, &callID) }
            }
            if status == PATTERN_OK {
                let cancel = service.cancel
                let callID = callID
                call.watch(host.timer(afterMilliseconds: timeoutMilliseconds + Self.graceMilliseconds) { _ in
                    _ = cancel?(callID)
                })
            } else {
                // The sink will never be called: release it and answer here.
                Unmanaged<CompletionCall>.fromOpaque(userdata).release()
                // BUSY: the host is stopping; INVALID would be this plugin's own mistake.
                continuation.resume(returning: .failure(Failure(status == PATTERN_BUSY
                    ? HTTPError(status: 503, type: "service_unavailable", message: "The server is stopping; retry shortly.")
                    : HTTPError(status: 500, type: "internal_error", message: "The server failed to handle this request."))))
            }
        }
    }
}

/// One completion in flight: holds the sink the providers plugin calls (it must stay valid
/// until on_complete returns) and resumes the waiting turn.
// @unchecked: `sink` is written once before the call starts and only read by the provider after.
private final class CompletionCall: @unchecked Sendable {
    let onDelta: @Sendable (String, String) -> Void
    let continuation: CheckedContinuation<Result<ModelProviders.Completion, ModelProviders.Failure>, Never>
    var sink = pattern_completion_sink()
    /// The watchdog timer, cancelled when the call completes.
    private let watchdog = Mutex<(timer: PluginHost.Timer?, done: Bool)>((nil, false))

    func watch(_ timer: PluginHost.Timer?) {
        let alreadyDone = watchdog.withLock { state in
            state.timer = timer
            return state.done
        }
        if alreadyDone { timer?.cancel() }
    }

    init(onDelta: @escaping @Sendable (String, String) -> Void,
         continuation: CheckedContinuation<Result<ModelProviders.Completion, ModelProviders.Failure>, Never>) {
        self.onDelta = onDelta
        self.continuation = continuation
    }

    func finish(_ status: pattern_status, _ json: String) {
        watchdog.withLock { state in
            state.done = true
            return state.timer
        }?.cancel()
        guard status == PATTERN_OK else {
            continuation.resume(returning: .failure(ModelProviders.Failure(json: json)))
            return
        }
        guard let value = JSONValue(parsing: json) else {
            continuation.resume(returning: .failure(ModelProviders.Failure(HTTPError(
                status: 502, type: "provider_error", message: "The model provider's answer could not be read."))))
            return
        }
        var usage: (Int64, Int64)?
        if case .integer(let input)? = value["usage"]?["input_tokens"], case .integer(let output)? = value["usage"]?["output_tokens"] {
            usage = (input, output)
        }
        continuation.resume(returning: .success(ModelProviders.Completion(
            content: value["content"]?.stringValue ?? "", reasoning: value["reasoning"]?.stringValue,
            toolCalls: (value["tool_calls"]?.arrayValue ?? []).compactMap(ToolCall.init),
            finishReason: value["finish_reason"]?.stringValue, usage: usage, model: value["model"]?.stringValue)))
    }
}
