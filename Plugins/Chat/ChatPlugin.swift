import PluginKit

/// The chat plugin: messages and their history and search, and the agent loop — a message
/// to an agent runs its turn against the owner's model provider (the providers plugin's
/// "providers.v1" service), with built-in memory tools through "agents.v1".
enum ChatPlugin: PatternPlugin {
    static let name = "chat"
    static let version = "1.0.0"
    static let summary = "Chat: messages, history and search, the agent loop with tools, SSE and WebSocket streaming"
    static let requires = ["auth", "agents", "providers"]

    static func setUp(_ host: PluginHost) throws {
        let config = try ChatConfig.load(host)
        let agents = try AgentDirectory(host)
        try ChatSchema.register(host)
        let store = MessageStore(database: host.database)
        let events = ChatEvents(host: host)
        let runner = TurnRunner(agents: agents, messages: store, providers: try ModelProviders(host: host),
                                tools: ToolBox(agents: agents, messages: store, mcp: MCPTools(host: host)), events: events,
                                config: config)
        let queue = AgentTurnQueue(maxWaiting: config.maxQueuedPerAgent)
        // The groups plugin is optional and may load after chat: looked up when needed.
        let groups = GroupDirectory(host: host)
        let turns = MemberTurns(runner: runner, queue: queue)
        try MessageDeletion(store: store, host: host).register()
        let delivery = MessageDelivery(
            agents: agents, runner: runner, queue: queue,
            groups: GroupChat(groups: groups, turns: turns, messages: store, events: events, ledger: DelegationLedger()))
        let messageRoutes = MessageRoutes(agents: agents, store: store, groups: groups)
        try ChatRoutes(delivery: delivery).register(host)
        try messageRoutes.register(host)
        try ChatService.provide(host, parts: ChatService.Parts(delivery: delivery, messages: messageRoutes))
        SleeptimeReviewer(groups: groups, turns: turns, messages: store)
            .start(host, everyMilliseconds: config.sleeptimeSweepMilliseconds)
        host.reportHealth(.ok)
    }
}

@c(pattern_plugin_entry_v1)
public func patternPluginEntry() -> UnsafeRawPointer { PluginExport.descriptor(for: ChatPlugin.self) }
