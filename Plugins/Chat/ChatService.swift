import PluginABI
import PluginKit
import Synchronization

/// The "chat.v1" named service (pattern_chat_service.h): another plugin (the MCP plugin's
/// /mcp tools) sends a user's message and reads or searches their history through the same
/// code as the REST routes. This file is the C side only.
enum ChatService {
    struct Parts: Sendable {
        let delivery: MessageDelivery
        let messages: MessageRoutes
    }

    /// C function pointers cannot capture, so the vtable's functions find their parts here.
    private static let parts = Mutex<Parts?>(nil)

    static func provide(_ host: PluginHost, parts: Parts) throws {
        self.parts.withLock { $0 = parts }
        // Lives as long as the process, as the ABI requires of a vtable.
        let table = UnsafeMutablePointer<pattern_chat_v1>.allocate(capacity: 1)
        table.initialize(to: pattern_chat_v1(
            struct_size: UInt32(MemoryLayout<pattern_chat_v1>.size),
            send_message: { request, reply, userdata in ChatService.send(request.byteArray, reply, userdata) },
            history: { owner, query, receive, userdata in
                ChatService.answer(receive, userdata) { parts throws(HTTPError) in
                    try parts.messages.history(ownerID: owner.string, query: ServiceArguments(parsing: query.byteArray).query)
                }
            },
            search: { owner, query, receive, userdata in
                ChatService.answer(receive, userdata) { parts throws(HTTPError) in
                    try parts.messages.search(ownerID: owner.string, query: ServiceArguments(parsing: query.byteArray).query)
                }
            }))
        try host.provideService(PATTERN_CHAT_SERVICE_V1, vtable: UnsafeRawPointer(table))
    }

    /// Runs a route's code with the parts; `receive` gets its answer or its refusal.
    private static func answer(_ receive: pattern_chat_json_fn?, _ userdata: UnsafeMutableRawPointer?,
                               _ body: (Parts) throws(HTTPError) -> JSONValue) -> pattern_status {
        guard let parts = parts.withLock({ $0 }) else { return PATTERN_STATE }
        return ServiceJSON.answer(receive, userdata) { () throws(HTTPError) in try body(parts) }
    }

    /// The C callback and its userdata, carried to the turn's task (called exactly once).
    // @unchecked: userdata is the caller's pointer, only handed back to it, never read here.
    private struct Reply: @unchecked Sendable {
        let function: pattern_chat_reply_fn?
        let userdata: UnsafeMutableRawPointer?

        func callAsFunction(_ status: pattern_status, _ json: JSONValue) {
            guard let function else { return }
            withABIBytes(json.jsonBytes) { function(status, $0, userdata) }
        }
    }

    private static func send(_ request: [UInt8], _ function: pattern_chat_reply_fn?,
                             _ userdata: UnsafeMutableRawPointer?) -> pattern_status {
        let reply = Reply(function: function, userdata: userdata)
        guard let parts = parts.withLock({ $0 }) else {
            reply(PATTERN_STATE, HTTPError(status: 503, type: "service_unavailable", message: "The chat plugin is not ready.").serviceJSON)
            return PATTERN_STATE
        }
        do throws(HTTPError) {
            guard let json = JSONValue(parsing: request) else { throw .validation("body", "must be JSON") }
            let fields = try JSONFields(json)
            let owner = try fields.requiredString("owner_id")
            try parts.delivery.send(MessageDelivery.Message(json: json), ownerID: owner, stream: nil) { outcome in
                if let error = outcome.error {
                    reply(error.serviceStatus, error.serviceJSON)
                } else {
                    reply(PATTERN_OK, outcome.body)
                }
            }
            return PATTERN_OK
        } catch {
            reply(error.serviceStatus, error.serviceJSON)
            return error.serviceStatus
        }
    }
}
