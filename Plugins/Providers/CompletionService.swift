import PluginABI
import PluginKit
import ProvidersInFlight
import Synchronization

/// The work behind "providers.v1": finds the owner's provider, opens its key and runs the
/// completion; keeps the calls in flight so they can be cancelled.
final class CompletionService: Sendable {
    private let host: PluginHost
    private let client: HTTPClient
    private let store: ProviderStore
    private let keys: ProviderKeys
    private let lastID = Atomic<UInt64>(0)

    /// The most completions in flight at once; beyond, a call ends at once as service_unavailable.
    static let maxInFlight = 10_000
    private let calls = InFlightCalls<CompletionCall>(capacity: maxInFlight)

    init(host: PluginHost, client: HTTPClient, store: ProviderStore, keys: ProviderKeys) {
        self.host = host
        self.client = client
        self.store = store
        self.keys = keys
    }

    /// Starts a completion; its work begins on a worker thread after this returns.
    func complete(_ json: [UInt8], sink raw: pattern_completion_sink) -> (pattern_status, UInt64) {
        guard let request = CompletionRequest(json: json) else { return (PATTERN_INVALID, 0) }
        let id = lastID.add(1, ordering: .relaxed).newValue
        let sink = CompletionSink(raw, host: host)
        let deadline = ContinuousClock.now + .milliseconds(Int64(min(request.timeoutMilliseconds, 86_400_000)))
        let call = CompletionCall(id: id, request: request, sink: sink, host: host, client: client, deadline: deadline) {
            [weak self] id in self?.forget(id)
        }
        let admitted = calls.admit(call, id: id)
        let started = host.timer(afterMilliseconds: 0) { [self] _ in
            if admitted {
                call.begin { provider(for: request) }
            } else {
                sink.complete(.unavailable("too many model calls are in flight; retry shortly"))
            }
        }
        guard started != nil else {
            forget(id)
            return (PATTERN_BUSY, 0)
        }
        sink.open() // the caller gets its id first; anything already reported waits for a worker
        return (PATTERN_OK, id)
    }

    private func forget(_ id: UInt64) {
        calls.remove(id)
    }

    func cancel(_ id: UInt64) -> pattern_status {
        guard let call = calls.call(id) else { return PATTERN_NOT_FOUND }
        return call.cancel() ? PATTERN_OK : PATTERN_NOT_FOUND
    }

    /// The provider `complete` would use, key opened.
    private func provider(for request: CompletionRequest) -> Result<ResolvedProvider, CompletionOutcome> {
        let found: Provider
        do {
            guard let usable = try usableProvider(ownerID: request.ownerID, modelProvider: request.modelProvider) else {
                return .failure(.conflict(Self.noProvider(request.modelProvider)))
            }
            found = usable
        } catch {
            return .failure(.unavailable("the database is busy; retry shortly"))
        }
        let apiKey: String
        do {
            apiKey = try keys.key(of: found.id)
        } catch {
            return .failure(.unavailable("the key of model provider \(found.id) cannot be opened"))
        }
        return .success(ResolvedProvider(id: found.id, kind: found.kind, baseURL: found.baseURL, apiKey: apiKey,
                                         orgID: found.orgID))
    }

    /// A provider id of the owner, or a kind meaning the owner's default of that kind; only
    /// an enabled one.
    func usableProvider(ownerID: String, modelProvider: String) throws(DatabaseFailure) -> Provider? {
        let found: Provider?
        if let kind = ProviderKind(rawValue: modelProvider) {
            found = try store.defaultProvider(kind: kind, ownerID: ownerID)
        } else if ResourceID.isValid(modelProvider, prefix: "prov") {
            found = try store.find(id: modelProvider, ownerID: ownerID, in: store.database)
        } else {
            found = nil
        }
        return found?.enabled == true ? found : nil
    }

    static func noProvider(_ modelProvider: String) -> String {
        ProviderKind(rawValue: modelProvider) != nil
            ? "no enabled default \(modelProvider) model provider: add one with POST /api/v1/providers, or enable it"
            : "no enabled model provider \(modelProvider) of this user: add one with POST /api/v1/providers, or enable it"
    }
}
