import PluginKit

/// The agents plugin: the caller's agents, their core and archival memory, and the
/// "agents.v1" service other plugins use to ask about agents.
enum AgentsPlugin: PatternPlugin {
    static let name = "agents"
    static let version = "1.0.0"
    static let summary = "Agents: CRUD, core memory with versions, archival memory with full-text search, the agents.v1 service"
    static let requires = ["auth"]

    static func setUp(_ host: PluginHost) throws {
        let config = try AgentsConfig.load(host)
        try AgentsSchema.register(host)
        let agents = AgentStore(database: host.database)
        let interrupted = try agents.readyAfterRestart()
        if interrupted > 0 { host.log(.info, "\(interrupted) agents left processing by the last run are ready again") }
        let memory = MemoryStore(database: host.database)
        let events = AgentEvents(host: host)
        let editor = MemoryEditor(agents: agents, memory: memory, maxBlockBytes: config.maxMemoryBlockBytes)
        let agentRoutes = AgentRoutes(store: agents, events: events)
        let memoryRoutes = MemoryRoutes(agents: agents, memory: memory, editor: editor, events: events)
        try AgentsService.provide(host, parts: AgentsService.Parts(
            store: agents, memory: memory, tools: MemoryTools(memory: memory, editor: editor, events: events),
            events: events, agentRoutes: agentRoutes, memoryRoutes: memoryRoutes))
        try AgentsRealtime(host: host, store: agents).register()
        try agentRoutes.register(host)
        try memoryRoutes.register(host)
        host.reportHealth(.ok)
    }
}

@c(pattern_plugin_entry_v1)
public func patternPluginEntry() -> UnsafeRawPointer { PluginExport.descriptor(for: AgentsPlugin.self) }
