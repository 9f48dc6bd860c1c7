import PluginABI
import Synchronization

/// The host's publish/subscribe bus: (topic, JSON) events from plugins, delivered to every
/// subscriber whose prefix matches, synchronously on the publishing thread.
final class EventBus: Sendable {
    struct Subscriber: Sendable {
        let plugin: String
        let prefix: String
        let deliver: @Sendable (_ topic: String, _ json: [UInt8]) -> Void
    }

    private let subscribers = Mutex<[Subscriber]>([])

    func subscribe(_ subscriber: Subscriber) {
        subscribers.withLock { $0.append(subscriber) }
    }

    /// Every worker publishes (a streaming reply, one event per token): the lock is held only to
    /// take the list (a reference-count increment), and matching happens outside it.
    func publish(topic: String, json: [UInt8]) {
        let all = subscribers.withLock { $0 }
        for subscriber in all where topic.hasPrefix(subscriber.prefix) { subscriber.deliver(topic, json) }
    }
}
