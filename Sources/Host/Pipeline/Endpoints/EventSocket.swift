import Foundation
import PatternText
import PluginABI
import Synchronization

/// `GET /api/v1/ws`: the event socket of API.md. Clients subscribe to agents, groups and
/// their own user; events published on the host bus reach the subscribers of their topic.
/// Plugins decide who may read their topics (topic authorizers) and may add command types.
final class EventSocket: Sendable {
    static let path = "/api/v1/ws"

    /// Decides whether a user may subscribe to a topic under a prefix ("agent:").
    struct TopicAuthorizer: Sendable {
        let prefix: String
        let allows: @Sendable (_ userID: String, _ isAdmin: Bool, _ topic: String) -> Bool
    }

    /// A plugin's command type: gets the connection, its user and the whole JSON message.
    typealias Command = @Sendable (_ connection: UInt64, _ userID: String, _ json: [UInt8]) -> Void

    private let subscriptions = TopicSubscriptions()
    private let directory: WebSocketDirectory
    private let events: EventBus
    private let registry = Mutex<(authorizers: [TopicAuthorizer], commands: [String: Command])>(([], [:]))
    /// Judges the credentials of `authenticate` commands; set once the pipeline exists.
    private let pipeline = Mutex<Pipeline?>(nil)

    /// `[limits] max_json_depth`: commands nested deeper are refused unparsed.
    private let maxJSONDepth: Int

    init(directory: WebSocketDirectory, events: EventBus, maxJSONDepth: Int) {
        self.directory = directory
        self.events = events
        self.maxJSONDepth = maxJSONDepth
        events.subscribe(.init(plugin: "host", prefix: "") { [self] topic, json in
            deliver(topic: topic, json: json, except: 0)
        })
    }

    func attach(_ pipeline: Pipeline) { self.pipeline.withLock { $0 = pipeline } }

    func addAuthorizer(_ authorizer: TopicAuthorizer) { registry.withLock { $0.authorizers.append(authorizer) } }

    /// False when the type is built in or already taken.
    func addCommand(_ type: String, _ command: @escaping Command) -> Bool {
        guard !Self.builtInCommands.contains(type) else { return false }
        return registry.withLock { registry in
            guard registry.commands[type] == nil else { return false }
            registry.commands[type] = command
            return true
        }
    }

    /// Sends `json` to the topic's subscribers (one encoding, one post per event loop).
    func deliver(topic: String, json: [UInt8], except: UInt64) {
        let ids = subscriptions.subscribers(of: topic, except: except)
        guard !ids.isEmpty else { return }
        directory.broadcast(WebSocketFrameWriter.frame(.text, payload: json), to: ids)
    }

    func route() -> Route {
        WebSocketRoute.make(path: Self.path, plugin: "host", flags: 0, permission: nil, endpoint: WebSocketEndpoint(
            isInline: false,
            open: { [self] id, request in opened(id, request) },
            message: { [self] id, isText, bytes in received(id, isText: isText, bytes) },
            close: { [self] id, _ in closed(id) }))
    }

    // MARK: Connection events

    private func opened(_ id: UInt64, _ request: RequestContext) {
        guard let principal = request.principal else { return }
        let first = subscriptions.join(id, userID: principal.userID, isAdmin: principal.isAdmin,
                                       readable: Self.readableKinds(principal), clientIP: request.clientIP)
        send(id, ["type": "connected", "user_id": principal.userID, "session_id": "ws_\(String(id, radix: 16))",
                  "expires_at": Self.expiry(principal.expiresAt), "timestamp": Timestamp.rfc3339()])
        if first { announcePresence(principal.userID, "online") }
    }

    private func closed(_ id: UInt64) {
        if let user = subscriptions.leave(id) { announcePresence(user, "offline") }
    }

    private func announcePresence(_ userID: String, _ status: String) {
        let event: [String: Any] = ["type": "presence", "user_id": userID, "status": status, "timestamp": Timestamp.rfc3339()]
        events.publish(topic: "user:\(userID)", json: Self.encode(event))
    }

    private static let builtInCommands: Set<String> = [
        "subscribe_agent", "unsubscribe_agent", "subscribe_group", "unsubscribe_group", "subscribe_user",
        "unsubscribe_user", "ping", "authenticate",
    ]

    private func received(_ id: UInt64, isText: Bool, _ bytes: [UInt8]) {
        guard let member = subscriptions.member(id) else { return }
        guard JSONNesting.depth(of: bytes) <= maxJSONDepth else {
            return sendError(id, "json_error", "JSON nests deeper than \(maxJSONDepth) levels.")
        }
        guard isText, let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any],
              let type = object["type"] as? String
        else {
            return sendError(id, "invalid_command", "Commands are JSON objects with a \"type\".")
        }
        switch type {
        case "ping":
            send(id, ["type": "pong", "timestamp": Timestamp.rfc3339()])
        case "authenticate":
            renew(id, member, token: object["token"])
        case "subscribe_agent", "subscribe_group", "subscribe_user":
            changeSubscription(id, member, object, kind: String(type.dropFirst("subscribe_".count)), subscribe: true)
        case "unsubscribe_agent", "unsubscribe_group", "unsubscribe_user":
            changeSubscription(id, member, object, kind: String(type.dropFirst("unsubscribe_".count)), subscribe: false)
        default:
            guard let command = registry.withLock({ $0.commands[type] }) else {
                return sendError(id, "unknown_command", "Unknown command type \"\(type)\".")
            }
            command(id, member.userID, bytes)
        }
    }

    private func changeSubscription(_ id: UInt64, _ member: TopicSubscriptions.Member, _ object: [String: Any],
                                    kind: String, subscribe: Bool) {
        let field = "\(kind)_id"
        guard let resource = object[field] as? String, !resource.isEmpty, resource.utf8.count <= 128 else {
            return sendError(id, "validation_error", "\(field) must be a non-empty string.")
        }
        let topic = "\(kind):\(resource)"
        var allowed = true
        var message = subscribe ? "subscribed" : "unsubscribed"
        if subscribe {
            allowed = mayRead(member, topic: topic, kind: kind, resource: resource)
            if !allowed {
                message = "not found or not allowed"
            } else if !subscriptions.subscribe(id, to: topic) {
                allowed = false
                message = "at most \(TopicSubscriptions.maxTopicsPerConnection) subscriptions per connection"
            }
        } else {
            subscriptions.unsubscribe(id, from: topic)
        }
        send(id, ["type": "subscription", "subscription_type": kind, "resource_id": resource, "success": allowed,
                  "message": message])
    }

    /// `{"type": "authenticate", "token": ...}`: a fresh credential of the same user keeps the
    /// connection open past the expiry of the one it was opened with, and later revocations
    /// follow the new login.
    private func renew(_ id: UInt64, _ member: TopicSubscriptions.Member, token: Any?) {
        guard let token = token as? String, !token.isEmpty else {
            return sendError(id, "validation_error", "token must be a non-empty string.")
        }
        guard let principal = pipeline.withLock({ $0 })?.principal(bearer: token, path: Self.path, clientIP: member.clientIP)
        else {
            return sendError(id, "invalid_token", "The token is invalid, expired or revoked.")
        }
        guard principal.userID == member.userID else {
            return sendError(id, "invalid_token", "The token belongs to another user.")
        }
        directory.renewed(id, owner: .init(userID: principal.userID, sessionID: principal.sessionID),
                          expiresAt: principal.expiresAt)
        send(id, ["type": "authenticated", "expires_at": Self.expiry(principal.expiresAt),
                  "timestamp": Timestamp.rfc3339()])
    }

    /// RFC 3339 of a credential's expiry, null when it never expires.
    private static func expiry(_ unixSeconds: Int64) -> Any {
        let (milliseconds, overflow) = unixSeconds.multipliedReportingOverflow(by: 1000)
        return unixSeconds == 0 || overflow ? NSNull() : Timestamp.rfc3339(milliseconds: milliseconds)
    }

    /// The permission a credential needs to follow each kind of topic: an API key follows only
    /// what its permissions let it read, as on the REST routes.
    private static let permissionByKind = ["agent": "read_agents", "group": "read_groups", "user": "manage_users"]

    private static func readableKinds(_ principal: Principal) -> Set<String> {
        Set(permissionByKind.filter { principal.holds($0.value) }.keys)
    }

    /// A user's own topic is theirs; another user's needs an administrator's `manage_users`;
    /// other topics need the credential's permission and the owning plugin's authorizer.
    private func mayRead(_ member: TopicSubscriptions.Member, topic: String, kind: String, resource: String) -> Bool {
        if kind == "user" { return resource == member.userID || (member.isAdmin && member.readable.contains(kind)) }
        guard member.readable.contains(kind) else { return false }
        let authorizers = registry.withLock { $0.authorizers }.filter { topic.hasPrefix($0.prefix) }
        return !authorizers.isEmpty && authorizers.allSatisfy { $0.allows(member.userID, member.isAdmin, topic) }
    }

    private func sendError(_ id: UInt64, _ errorType: String, _ message: String) {
        send(id, ["type": "error", "error_type": errorType, "message": message, "timestamp": Timestamp.rfc3339()])
    }

    private func send(_ id: UInt64, _ object: [String: Any]) {
        directory.send(WebSocketFrameWriter.frame(.text, payload: Self.encode(object)), to: id)
    }

    private static func encode(_ object: [String: Any]) -> [UInt8] {
        Array((try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8))
    }
}
