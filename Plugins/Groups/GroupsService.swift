import PluginABI
import PluginKit
import Synchronization

/// The "groups.v1" named service (pattern_groups_service.h): lets the chat plugin route a
/// message to a group — members, patterns, the persisted round-robin turn — without reading
/// this plugin's tables. The answers come from GroupRouting; this file is the C side only.
enum GroupsService {
    /// C function pointers cannot capture, so the vtable's functions find the routing here.
    private static let routing = Mutex<GroupRouting?>(nil)
    /// The REST routes whose listing `list_groups` runs.
    private static let routes = Mutex<GroupRoutes?>(nil)

    static func provide(_ host: PluginHost, routing: GroupRouting, routes: GroupRoutes) throws {
        self.routing.withLock { $0 = routing }
        self.routes.withLock { $0 = routes }
        // Lives as long as the process, as the ABI requires of a vtable.
        let table = UnsafeMutablePointer<pattern_groups_v1>.allocate(capacity: 1)
        table.initialize(to: pattern_groups_v1(
            struct_size: UInt32(MemoryLayout<pattern_groups_v1>.size),
            get_group: { group, owner, receive, userdata in
                GroupsService.answer(receive, userdata) { routing throws(GroupRouting.Failure) in
                    try routing.group(id: group.string, ownerID: owner.string)
                }
            },
            advance_round_robin: { group, owner, receive, userdata in
                GroupsService.answer(receive, userdata) { routing throws(GroupRouting.Failure) in
                    try routing.advanceRoundRobin(groupID: group.string, ownerID: owner.string)
                }
            },
            touch_group: { group, owner in
                GroupsService.answer(nil, nil) { routing throws(GroupRouting.Failure) in
                    try routing.touch(groupID: group.string, ownerID: owner.string)
                    return .null
                }
            },
            list_sleeptime_groups: { after, limit, receive, userdata in
                guard receive != nil else { return PATTERN_INVALID }
                return GroupsService.answer(receive, userdata) { routing throws(GroupRouting.Failure) in
                    try routing.sleeptimeGroups(afterID: after.string, limit: Int(limit))
                }
            },
            list_groups: { owner, query, receive, userdata in GroupsService.listGroups(owner, query, receive, userdata) }))
        try host.provideService(PATTERN_GROUPS_SERVICE_V1, vtable: UnsafeRawPointer(table))
    }

    /// Runs `body` and reports its JSON to `receive` (when given), or maps its failure to the
    /// header's status. Never throws across the C boundary.
    private static func answer(_ receive: pattern_groups_json_fn?, _ userdata: UnsafeMutableRawPointer?,
                               _ body: (GroupRouting) throws(GroupRouting.Failure) -> JSONValue) -> pattern_status {
        guard let routing = routing.withLock({ $0 }) else { return PATTERN_STATE }
        do {
            let json = try body(routing)
            if let receive { withABIBytes(json.jsonBytes) { receive($0, userdata) } }
            return PATTERN_OK
        } catch {
            return switch error {
            case .invalid: PATTERN_INVALID
            case .notFound: PATTERN_NOT_FOUND
            case .notRoundRobin: PATTERN_STATE
            case .noMemberToPick: PATTERN_CONFLICT
            case .busy: PATTERN_BUSY
            case .failed: PATTERN_INTERNAL
            }
        }
    }

    /// `GET /groups`'s own code; a refusal goes to `receive` as the error JSON.
    private static func listGroups(_ owner: pattern_str, _ query: pattern_str, _ receive: pattern_groups_json_fn?,
                                   _ userdata: UnsafeMutableRawPointer?) -> pattern_status {
        guard let routes = routes.withLock({ $0 }) else { return PATTERN_STATE }
        return ServiceJSON.answer(receive, userdata) { () throws(HTTPError) in
            try routes.page(ownerID: owner.string, query: ServiceArguments(parsing: query.byteArray).query)
        }
    }
}
