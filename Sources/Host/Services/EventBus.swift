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

    func publish(topic: String, json: [UInt8]) {
        let matching = subscribers.withLock { list in list.filter { topic.hasPrefix($0.prefix) } }
        for subscriber in matching { subscriber.deliver(topic, json) }
    }
}
