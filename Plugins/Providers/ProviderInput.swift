import Foundation
import PluginKit

/// `POST /providers` `{provider, name?, config, set_as_default?}` and `PATCH /providers/{id}`
/// `{name?, config?, enabled?, set_as_default?}`, checked for shape. A PATCH's config keeps
/// what it leaves out (the stored key when `api_key` is absent; `base_url: null` restores the
/// kind's default).
struct ProviderInput: Sendable {
    var kind: ProviderKind?
    var name: String?
    var config: ConfigInput?
    var enabled: Bool?
    var setAsDefault: Bool?

    struct ConfigInput: Sendable {
        var apiKey: String?
        /// nil: unchanged; .some(nil): the kind's default.
        var baseURL: String??
        var orgID: String??
    }

    static let maxKeyBytes = 4096
    static let maxURLBytes = 2048

    static func create(_ body: JSONValue) throws(HTTPError) -> ProviderInput {
        let fields = try JSONFields(body)
        let kindText = try fields.requiredString("provider")
        guard let kind = ProviderKind(rawValue: kindText) else {
            throw .validation("provider", "must be \"openai\" or \"anthropic\"")
        }
        var input = try read(fields)
        input.kind = kind
        guard let config = input.config else {
            _ = try fields.requiredObject("config")
            throw .validation("config", "is required")
        }
        guard config.apiKey != nil else { throw .validation("config.api_key", "is required") }
        input.enabled = nil
        return input
    }

    static func update(_ body: JSONValue) throws(HTTPError) -> ProviderInput {
        let fields = try JSONFields(body)
        for key in ["name", "config", "enabled", "set_as_default"] where fields.has(key) && !fields.hasValue(key) {
            throw .validation(key, "must not be null")
        }
        return try read(fields)
    }

    private static func read(_ fields: JSONFields) throws(HTTPError) -> ProviderInput {
        var input = ProviderInput()
        if let name = try fields.string("name") {
            guard !name.allSatisfy(\.isWhitespace), name.count <= 128 else {
                throw .validation("name", "must be 1 to 128 characters, not only spaces")
            }
            input.name = name
        }
        if let config = try fields.object("config") { input.config = try readConfig(config) }
        input.enabled = try fields.bool("enabled")
        input.setAsDefault = try fields.bool("set_as_default")
        return input
    }

    private static func readConfig(_ fields: JSONFields) throws(HTTPError) -> ConfigInput {
        let type = try fields.string("type") ?? "api_key"
        guard type == "api_key" else { throw .validation("config.type", "must be \"api_key\"") }
        var config = ConfigInput()
        if let key = try fields.string("api_key") {
            guard key.utf8.count <= maxKeyBytes else {
                throw .validation("config.api_key", "must be at most \(maxKeyBytes) bytes")
            }
            guard key.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F }) else {
                throw .validation("config.api_key", "must be printable ASCII without spaces")
            }
            config.apiKey = key
        }
        if fields.has("base_url") {
            if let url = try fields.string("base_url") {
                config.baseURL = .some(try checkedURL(url))
            } else {
                config.baseURL = .some(nil)
            }
        }
        if fields.has("org_id") {
            let orgID = try fields.string("org_id")
            if let orgID {
                guard orgID.utf8.count <= 256, orgID.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F }) else {
                    throw .validation("config.org_id", "must be at most 256 printable ASCII characters")
                }
            }
            config.orgID = .some(orgID?.isEmpty == true ? nil : orgID)
        }
        return config
    }

    /// An absolute http(s) URL with a host and no credentials, query or fragment.
    private static func checkedURL(_ text: String) throws(HTTPError) -> String {
        let problem = HTTPError.validation("config.base_url",
                                           "must be an http:// or https:// URL with a host, without user, query or fragment")
        guard text.utf8.count <= maxURLBytes, let components = URLComponents(string: text),
              let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https",
              let host = components.host, !host.isEmpty, components.user == nil, components.password == nil,
              components.query == nil, components.fragment == nil
        else { throw problem }
        return text
    }
}
