import Foundation
import PluginKit

/// What the plugin tells other plugins (audit, metrics, agents' clean-up) on the host's event
/// bus. Payloads never carry passwords, tokens or keys.
struct AuthEvents: Sendable {
    let host: PluginHost

    func userCreated(_ user: User, by actor: String?) {
        publish("user.created", ["user_id": user.id, "username": user.username, "is_admin": user.isAdmin,
                                 "actor_id": actor ?? NSNull()])
    }

    func userDeleted(_ user: User, by actor: String) {
        publish("user.deleted", ["user_id": user.id, "username": user.username, "actor_id": actor])
    }

    enum LoginMethod: String { case password, apiKey = "api_key", refresh }

    /// A login or refresh attempt. `reason` says why one failed (`invalid_credentials`,
    /// `throttled`, `refresh_token_reuse`, `invalid_token`).
    func login(success: Bool, method: LoginMethod, userID: String?, username: String?, apiKeyID: String? = nil,
               reason: String? = nil, request: Request) {
        publish("auth.login", [
            "success": success, "method": method.rawValue, "user_id": userID ?? NSNull(),
            "username": username.map { String($0.prefix(64)) } ?? NSNull(), "api_key_id": apiKeyID ?? NSNull(),
            "reason": reason ?? NSNull(), "client_ip": request.clientIP, "request_id": request.requestID,
        ])
    }

    private func publish(_ type: String, _ fields: [String: Any]) {
        var payload = fields
        payload["type"] = type
        payload["timestamp"] = Timestamp.rfc3339(Date())
        guard let json = try? JSONSerialization.data(withJSONObject: payload, options: [.sortedKeys]) else { return }
        host.publish(topic: type, json: Array(json))
    }
}
