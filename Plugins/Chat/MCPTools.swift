import PluginABI
import PluginKit

/// The mcp plugin's "mcp.v1" service (pattern_mcp_service.h): an agent's `mcp:<server>/<tool>`
/// tools as the model sees them, and calling one. Looked up per use: chat does not require the
/// mcp plugin, which may load after it or not at all.
struct MCPTools: Sendable {
    let host: PluginHost

    static let serviceName = PATTERN_MCP_SERVICE_V1

    private var service: ServiceClient<pattern_mcp_v1>? {
        try? ServiceClient(host, Self.serviceName, needs: \.call_tool, providedBy: "mcp")
    }

    /// providers.v1 tool definitions for the usable MCP tools among `tools` (none without the service).
    func definitions(ownerID: String, tools: [String]) -> [JSONValue] {
        let names = tools.filter { $0.hasPrefix("mcp:") }
        guard !names.isEmpty, let table = service?.table else { return [] }
        let request: JSONValue = ["owner_id": .string(ownerID), "tools": .array(names.map { .string($0) })]
        let (status, answer) = ServiceJSON.collect { receive, userdata in
            withABIString(request.jsonText) { table.list_tools($0, receive, userdata) }
        }
        guard status == PATTERN_OK else { return [] }
        return answer.flatMap { JSONValue(parsing: $0)?.arrayValue } ?? []
    }

    /// Calls `name` with `arguments` (a JSON object): the result's text for the model, and
    /// whether it is an error. No thread waits meanwhile.
    func call(ownerID: String, name: String, arguments: JSONValue) async -> (String, Bool) {
        guard let table = service?.table else {
            return ("The tool \"\(name)\" needs the MCP plugin, which this server does not load.", true)
        }
        let request: JSONValue = ["owner_id": .string(ownerID), "tool": .string(name), "arguments": arguments]
        return await withCheckedContinuation { continuation in
            let pending = Unmanaged.passRetained(PendingCall(continuation)).toOpaque()
            var sink = pattern_mcp_call_sink(
                struct_size: UInt32(MemoryLayout<pattern_mcp_call_sink>.size), userdata: pending,
                on_complete: { userdata, status, json in
                    // The only call: the retain taken above is released with it.
                    Unmanaged<PendingCall>.fromOpaque(userdata!).takeRetainedValue().finish(status, json.string)
                })
            let status = withABIString(request.jsonText) { table.call_tool($0, &sink) }
            if status != PATTERN_OK {
                Unmanaged<PendingCall>.fromOpaque(pending).release()
                continuation.resume(returning: ("The tool \"\(name)\" could not be called (status \(status)).", true))
            }
        }
    }

    /// An MCP tools/call result as the text a model reads: the text items joined, other items
    /// (images, resources) and a structured result without text as JSON.
    static func text(of result: JSONValue) -> String {
        let items = result["content"]?.arrayValue ?? []
        let parts = items.map { item in item["type"]?.stringValue == "text" ? item["text"]?.stringValue ?? "" : item.jsonText }
        if parts.allSatisfy(\.isEmpty), let structured = result["structuredContent"] { return structured.jsonText }
        return parts.joined(separator: "\n")
    }
}

/// One tool call in flight: resumes the waiting turn when the mcp plugin reports.
private final class PendingCall: Sendable {
    let continuation: CheckedContinuation<(String, Bool), Never>

    init(_ continuation: CheckedContinuation<(String, Bool), Never>) {
        self.continuation = continuation
    }

    func finish(_ status: pattern_status, _ json: String) {
        let value = JSONValue(parsing: json)
        guard status == PATTERN_OK, let value else {
            continuation.resume(returning: (value?["message"]?.stringValue ?? "The MCP tool call failed.", true))
            return
        }
        continuation.resume(returning: (MCPTools.text(of: value), value["isError"] == .bool(true)))
    }
}
