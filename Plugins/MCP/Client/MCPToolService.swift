import PluginABI
import PluginKit
import Synchronization

/// The "mcp.v1" named service (pattern_mcp_service.h): the usable tools among an agent's
/// `mcp:<server>/<tool>` names, as a model's tool definitions, and calling one with a
/// completion callback.
enum MCPToolService {
    static let name = PATTERN_MCP_SERVICE_V1

    /// The registry behind the C functions; set once in setUp.
    private static let tools = Mutex<MCPToolDirectory?>(nil)

    static func provide(_ host: PluginHost, directory: MCPToolDirectory) throws {
        tools.withLock { $0 = directory }
        // Lives as long as the process, as the ABI requires of a vtable.
        let table = UnsafeMutablePointer<pattern_mcp_v1>.allocate(capacity: 1)
        table.initialize(to: pattern_mcp_v1(
            struct_size: UInt32(MemoryLayout<pattern_mcp_v1>.size),
            list_tools: { json, receive, userdata in MCPToolService.listTools(json, receive, userdata) },
            call_tool: { json, sink in MCPToolService.callTool(json, sink) }))
        try host.provideService(name, vtable: UnsafeRawPointer(table))
    }

    private static func listTools(_ json: pattern_str, _ receive: pattern_mcp_json_fn?,
                                  _ userdata: UnsafeMutableRawPointer?) -> pattern_status {
        guard let directory = tools.withLock({ $0 }) else { return PATTERN_STATE }
        guard let request = JSONValue(parsing: json.byteArray), let owner = request["owner_id"]?.stringValue,
              let names = request["tools"]?.arrayValue?.compactMap(\.stringValue)
        else { return PATTERN_INVALID }
        let definitions = directory.definitions(ownerID: owner, names: names)
        withABIBytes(JSONValue.array(definitions).jsonBytes) { receive?($0, userdata) }
        return PATTERN_OK
    }

    private static func callTool(_ json: pattern_str, _ sink: UnsafePointer<pattern_mcp_call_sink>?) -> pattern_status {
        guard let directory = tools.withLock({ $0 }) else { return PATTERN_STATE }
        guard let sink, sink.pointee.struct_size >= MemoryLayout<pattern_mcp_call_sink>.size,
              let onComplete = sink.pointee.on_complete,
              let request = JSONValue(parsing: json.byteArray), let owner = request["owner_id"]?.stringValue,
              let tool = request["tool"]?.stringValue
        else { return PATTERN_INVALID }
        let arguments = request["arguments"] ?? [:]
        guard arguments.objectValue != nil else { return PATTERN_INVALID }
        let timeoutSeconds = request["timeout_ms"].flatMap { value -> Int? in
            guard case .integer(let milliseconds) = value, milliseconds > 0 else { return nil }
            return Int(min(milliseconds, 3_600_000) + 999) / 1000
        }
        let userdata = CallerUserdata(sink.pointee.userdata)
        directory.call(ownerID: owner, tool: tool, arguments: arguments, timeoutSeconds: timeoutSeconds) { outcome in
            let (status, answer): (pattern_status, JSONValue) = switch outcome {
            case .success(let result): (PATTERN_OK, result)
            case .failure(let failure):
                (failure.status, ["type": .string(failure.error.type), "message": .string(failure.error.message)])
            }
            withABIBytes(answer.jsonBytes) { onComplete(userdata.pointer, status, $0) }
        }
        return PATTERN_OK
    }
}

/// A caller's `userdata`: only handed back to its own on_complete, on whichever thread completes.
// @unchecked: an opaque pointer the caller promised to keep valid until on_complete returns.
struct CallerUserdata: @unchecked Sendable {
    let pointer: UnsafeMutableRawPointer?

    init(_ pointer: UnsafeMutableRawPointer?) {
        self.pointer = pointer
    }
}
