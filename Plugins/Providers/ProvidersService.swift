import PluginABI
import PluginKit
import Synchronization

/// The "providers.v1" named service (pattern_providers_service.h): complete a conversation
/// with one of a user's providers, streaming deltas to the caller; cancel it; say which
/// provider and context length a request would get.
enum ProvidersService {
    static let name = PATTERN_PROVIDERS_SERVICE_V1

    /// What the C functions run on; set once in setUp.
    private static let completions = Mutex<CompletionService?>(nil)

    static func provide(_ host: PluginHost, completions service: CompletionService) throws {
        completions.withLock { $0 = service }
        // Lives as long as the process, as the ABI requires of a vtable.
        let table = UnsafeMutablePointer<pattern_providers_v1>.allocate(capacity: 1)
        table.initialize(to: pattern_providers_v1(
            struct_size: UInt32(MemoryLayout<pattern_providers_v1>.size),
            complete: { json, sink, callID in ProvidersService.complete(json, sink, callID) },
            cancel: { id in ProvidersService.completions.withLock { $0 }?.cancel(id) ?? PATTERN_STATE },
            resolve: { json, receive, userdata in ProvidersService.resolve(json, receive, userdata) }))
        try host.provideService(name, vtable: UnsafeRawPointer(table))
    }

    private static func complete(_ json: pattern_str, _ sink: UnsafePointer<pattern_completion_sink>?,
                                 _ callID: UnsafeMutablePointer<UInt64>?) -> pattern_status {
        guard let service = completions.withLock({ $0 }) else { return PATTERN_STATE }
        guard let sink, sink.pointee.struct_size >= MemoryLayout<pattern_completion_sink>.size,
              sink.pointee.on_complete != nil
        else { return PATTERN_INVALID }
        let (status, id) = service.complete(json.byteArray, sink: sink.pointee)
        if status == PATTERN_OK { callID?.pointee = id }
        return status
    }

    private static func resolve(_ json: pattern_str, _ receive: pattern_providers_json_fn?,
                                _ userdata: UnsafeMutableRawPointer?) -> pattern_status {
        guard let service = completions.withLock({ $0 }) else { return PATTERN_STATE }
        guard let request = JSONValue(parsing: json.byteArray), let owner = request["owner_id"]?.stringValue,
              let modelProvider = request["model_provider"]?.stringValue, let model = request["model"]?.stringValue
        else { return PATTERN_INVALID }
        let provider: Provider
        do {
            guard let found = try service.usableProvider(ownerID: owner, modelProvider: modelProvider) else {
                return PATTERN_NOT_FOUND
            }
            provider = found
        } catch {
            return error.kind == .busy ? PATTERN_BUSY : PATTERN_INTERNAL
        }
        let context = provider.validation.availableModels.first { $0.id == model }?.contextLength
        let answer: JSONValue = [
            "provider_id": .string(provider.id), "provider": .string(provider.kind.rawValue), "model": .string(model),
            "context_length": context.map { .integer(Int64($0)) } ?? .null,
        ]
        withABIBytes(answer.jsonBytes) { receive?($0, userdata) }
        return PATTERN_OK
    }
}
