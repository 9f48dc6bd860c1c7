import PluginKit

/// The groups plugin: groups of the caller's agents with a coordination pattern and members.
/// It knows agents only through the agents plugin's "agents.v1" service and events, and
/// offers the "groups.v1" service the chat plugin routes group messages with.
enum GroupsPlugin: PatternPlugin {
    static let name = "groups"
    static let version = "1.0.0"
    static let summary = "Agent groups: CRUD, members with roles, validated coordination patterns"
    static let requires = ["agents", "auth"]

    static func setUp(_ host: PluginHost) throws {
        let agents = try AgentDirectory(host)
        try GroupsSchema.register(host)
        let store = GroupStore(database: host.database)
        let events = GroupEvents(host: host)
        try GroupsRealtime(host: host, store: store).register()
        let deletions = AgentDeletionListener(store: store, events: events, host: host)
        try deletions.register()
        let routes = GroupRoutes(store: store, agents: agents, events: events, deletions: deletions)
        try routes.register(host)
        try MemberRoutes(store: store, agents: agents, events: events).register(host)
        try GroupsService.provide(host, routing: GroupRouting(store: store, agents: agents), routes: routes)
        host.reportHealth(.ok)
    }
}

@c(pattern_plugin_entry_v1)
public func patternPluginEntry() -> UnsafeRawPointer { PluginExport.descriptor(for: GroupsPlugin.self) }
