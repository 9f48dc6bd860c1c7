import PluginKit

/// Why a tool (or a resource read) could not do what was asked, in words for the MCP client:
/// a bad argument naming its field, a missing permission, another plugin's refusal, a plugin
/// that is not loaded. A tool answers it as `isError: true`, never as a protocol error.
struct ToolFailure: Error, Sendable, Equatable {
    enum Kind: Sendable, Equatable { case invalid, forbidden, notFound, unavailable }

    let kind: Kind
    let message: String

    init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    /// A REST route's refusal (a validation error already names its field).
    init(_ error: HTTPError) {
        let kind: Kind = switch error.status {
        case 400, 409, 422: .invalid
        case 403: .forbidden
        case 404: .notFound
        default: .unavailable
        }
        self.init(kind, error.message)
    }

    static func missingPermission(_ permission: String) -> ToolFailure {
        ToolFailure(.forbidden, "Missing permission: \(permission). This credential does not grant it.")
    }
}

extension Principal {
    /// The host's rule for a route's permission: an API key holds exactly its permissions; a
    /// login without a key holds its own (every one), and an administrator's every one.
    func holds(_ permission: String) -> Bool { permissions.contains(permission) || (isAdmin && apiKeyID == nil) }

    func require(_ permission: String) throws(ToolFailure) {
        guard holds(permission) else { throw .missingPermission(permission) }
    }
}
