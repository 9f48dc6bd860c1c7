import Coordination
import PluginABI
import PluginKit

/// The groups plugin's "groups.v1" service as the chat plugin uses it: a group with its
/// members and coordination pattern, the persisted round-robin turn, the group's activity
/// time, and the sleeptime groups. Chat never reads the groups plugin's tables.
///
/// The groups plugin is optional: the service is looked up when a group is first named (it
/// may load after chat), and without it a group message is a 409 naming the plugin.
struct GroupDirectory: Sendable {
    static let serviceName = PATTERN_GROUPS_SERVICE_V1
    static let unavailable = HTTPError.conflict("group chat needs the groups plugin: load libPatternGroups.so.")

    let host: PluginHost

    // @unchecked: points at the groups plugin's vtable, immutable and alive for the process.
    private struct VTable: @unchecked Sendable {
        let pointer: UnsafePointer<pattern_groups_v1>
    }

    /// The service, or nil when no loaded plugin provides it (or too old a one).
    private var table: VTable? {
        guard let raw = host.lookupService(Self.serviceName) else { return nil }
        let pointer = raw.assumingMemoryBound(to: pattern_groups_v1.self)
        guard abiHasField(pointer.pointee.struct_size, \pattern_groups_v1.list_sleeptime_groups) else { return nil }
        return VTable(pointer: pointer)
    }

    private func service() throws(HTTPError) -> UnsafePointer<pattern_groups_v1> {
        guard let table else { throw Self.unavailable }
        return table.pointer
    }

    /// True when the groups plugin is loaded.
    var isAvailable: Bool { table != nil }

    /// One of `ownerID`'s groups; nil when it is missing or another user's.
    func group(id: String, ownerID: String) throws(HTTPError) -> GroupSnapshot? {
        let service = try service()
        let (status, json) = ServiceJSON.collect { receive, userdata in
            withABIString(id) { idText in
                withABIString(ownerID) { service.pointee.get_group(idText, $0, receive, userdata) }
            }
        }
        guard status != PATTERN_NOT_FOUND else { return nil }
        try Self.check(status)
        do {
            return try GroupSnapshot(jsonText: json ?? "")
        } catch {
            throw HTTPError(status: 502, type: "service_error", message: "The groups plugin answered a group this server cannot read.")
        }
    }

    /// The round-robin turn taken (and the next index stored) by groups.v1.
    struct RoundRobinTurn: Sendable {
        var agentID: String
        var agentName: String
        var available: Bool
        var index: Int
    }

    /// Takes the group's next round-robin turn; nil when nobody can be picked.
    func advanceRoundRobin(groupID: String, ownerID: String) throws(HTTPError) -> RoundRobinTurn? {
        let service = try service()
        let (status, json) = ServiceJSON.collect { receive, userdata in
            withABIString(groupID) { id in
                withABIString(ownerID) { service.pointee.advance_round_robin(id, $0, receive, userdata) }
            }
        }
        if status == PATTERN_CONFLICT { return nil }
        if status == PATTERN_NOT_FOUND { throw .notFound("No group with this id.") }
        if status == PATTERN_STATE { throw .conflict("The group's coordination pattern is no longer round_robin.") }
        try Self.check(status)
        guard let answer = json.flatMap({ JSONValue(parsing: $0) }), let member = answer["member"],
              let agentID = member["agent_id"]?.stringValue else {
            throw HTTPError(status: 502, type: "service_error", message: "The groups plugin answered a turn this server cannot read.")
        }
        return RoundRobinTurn(agentID: agentID, agentName: member["agent_name"]?.stringValue ?? "",
                              available: member["available"] != .bool(false),
                              index: { if case .integer(let index)? = answer["index"] { Int(index) } else { 0 } }())
    }

    /// Records that a message was routed to the group (its `last_active_at`); best effort.
    func touch(groupID: String, ownerID: String) {
        guard let service = table?.pointer else { return }
        _ = withABIString(groupID) { id in withABIString(ownerID) { service.pointee.touch_group(id, $0) } }
    }

    /// One page of every user's active sleeptime groups, after `after` (by id); nil when the
    /// service is missing or failed.
    func sleeptimeGroups(after: String?, limit: UInt32) -> SleeptimePage? {
        guard let service = table?.pointer else { return nil }
        let (status, json) = ServiceJSON.collect { receive, userdata in
            withABIString(after ?? "") { service.pointee.list_sleeptime_groups($0, limit, receive, userdata) }
        }
        guard status == PATTERN_OK, let json else { return nil }
        return try? SleeptimePage(jsonText: json)
    }

    // MARK: Calls

    private static func check(_ status: pattern_status) throws(HTTPError) {
        switch status {
        case PATTERN_OK: return
        case PATTERN_BUSY: throw HTTPError(status: 503, type: "service_unavailable", message: "The database is busy; retry shortly.")
        default: throw HTTPError(status: 500, type: "internal_error", message: "The server failed to handle this request.")
        }
    }
}
