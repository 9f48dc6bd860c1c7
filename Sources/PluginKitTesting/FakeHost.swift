import Foundation
import PluginABI
import Synchronization

/// The state behind the fake host table: what the plugins registered, the database, config,
/// and what they did (events, socket messages, logs). One is active at a time: the C table
/// has no context argument for most calls (`execute` outside a transaction, `publish`,
/// `lookup`), so its functions find the active host here.
final class FakeHost: Sendable {
    let database: TestDatabase
    let pluginConfig: [String: String]
    let settings: [String: String]
    let dataDirectory: String
    let state = Mutex(State())

    struct State: ~Copyable {
        var plugins: [(name: PinnedBytes, version: PinnedBytes)] = []
        var initializing = true
        var routes: [RegisteredRoute] = []
        var middleware: [RegisteredMiddleware] = []
        var services: [String: ServiceTable] = [:]
        var subscribers: [(prefix: String, callback: Callback<pattern_event_fn>)] = []
        var events: [TestEvent] = []
        var socketMessages: [TestEvent] = []
        var logs: [TestLogLine] = []
        var health: [String: Int32] = [:]
        var pending: [UInt64: TestExchange] = [:]
        var timers: Set<UInt64> = []
    }

    /// Deferred responses and timers get ids unique in the process, so a plugin still holding
    /// one from an earlier test host never reaches a later host's.
    private static let handles = Atomic<UInt64>(0)

    static func nextHandle() -> UInt64 { handles.wrappingAdd(1, ordering: .relaxed).newValue }

    init(pluginConfig: [String: String], settings: [String: String], dataDirectory: String) throws {
        database = try TestDatabase()
        self.pluginConfig = pluginConfig
        self.settings = settings
        self.dataDirectory = dataDirectory
    }

    private static let current = Mutex<FakeHost?>(nil)

    static var active: FakeHost? { current.withLock { $0 } }

    static func activate(_ host: FakeHost?) { current.withLock { $0 = host } }

    /// A `pattern_plugin` handle: the plugin's index in load order, plus one (never NULL).
    static func handle(forPlugin index: Int) -> OpaquePointer { OpaquePointer(bitPattern: index + 1)! }

    func pluginName(_ handle: OpaquePointer?) -> String? {
        guard let handle else { return nil }
        let index = Int(bitPattern: UnsafeRawPointer(handle)) - 1
        return state.withLock { $0.plugins.indices.contains(index) ? $0.plugins[index].name.str.text : nil }
    }

    /// Delivers an event to every subscriber whose prefix matches, on the publishing thread.
    func publish(topic: String, json: String) {
        let subscribers = state.withLock { state in
            state.events.append(TestEvent(topic: topic, json: json))
            return state.subscribers.filter { topic.hasPrefix($0.prefix) }.map(\.callback)
        }
        let topicBytes = PinnedBytes(topic)
        let jsonBytes = PinnedBytes(json)
        for subscriber in subscribers { subscriber.function?(topicBytes.str, jsonBytes.str, subscriber.userdata) }
    }
}
