import Foundation
import PluginKit

/// The auth plugin's `[auth]` section, which the host hands over as written and no other plugin
/// can read, then its environment overrides: `ACCESS_TOKEN_TTL`, `REFRESH_TOKEN_TTL`,
/// `BCRYPT_COST`, `JWT_SECRET` and `PATTERN_OPEN_REGISTRATION` (empty counts as unset).
struct AuthSettings: Sendable {
    var accessTokenTTL: Int64 = 900
    var refreshTokenTTL: Int64 = 604_800
    /// A login's refresh family never outlives this, however often it is rotated.
    var sessionMaxLifetime: Int64 = 2_592_000
    var bcryptCost = 12
    var jwtSecret: String?
    var previousJWTSecrets: [String] = []
    var issuer = "pattern-server"
    var audience = "pattern-api"
    var openRegistration = false

    struct Invalid: Error, CustomStringConvertible {
        let description: String
    }

    static let knownKeys: Set<String> = [
        "access_token_ttl", "refresh_token_ttl", "session_max_lifetime", "bcrypt_cost", "jwt_secret",
        "previous_jwt_secrets", "issuer", "audience", "open_registration",
    ]

    static let accessTokenTTLRange: ClosedRange<Int64> = 1...86_400
    static let refreshTokenTTLRange: ClosedRange<Int64> = 1...31_536_000
    static let bcryptCostRange: ClosedRange<Int64> = 4...31
    static let minimumSecretBytes = 32

    /// The section's keys with their JSON types; bounds are checked after decoding.
    private struct Section: Decodable {
        var access_token_ttl: Int64?
        var refresh_token_ttl: Int64?
        var session_max_lifetime: Int64?
        var bcrypt_cost: Int64?
        var jwt_secret: String?
        var previous_jwt_secrets: [String]?
        var issuer: String?
        var audience: String?
        var open_registration: Bool?
    }

    /// Reads the section's JSON, then the environment; refuses unknown keys and bad values with a
    /// message naming the key or variable (never echoing a secret).
    static func load(json: [UInt8], environment: [String: String]) throws(Invalid) -> AuthSettings {
        let data = Data(json.isEmpty ? Array("{}".utf8) : json)
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw Invalid(description: "auth: the [auth] section is not a table")
        }
        if let unknown = object.keys.sorted().first(where: { !knownKeys.contains($0) }) {
            throw Invalid(description: "auth.\(unknown): unknown key (known: \(knownKeys.sorted().joined(separator: ", ")))")
        }
        let section: Section
        do { section = try JSONDecoder().decode(Section.self, from: data) } catch {
            let key = (error as? DecodingError).flatMap(\.codingKey) ?? "?"
            throw Invalid(description: "auth.\(key): \(expectations[key] ?? "has the wrong type")")
        }
        var settings = AuthSettings()
        func bounded(_ key: String, _ value: Int64?, _ range: ClosedRange<Int64>) throws(Invalid) -> Int64? {
            guard let value else { return nil }
            guard range.contains(value) else {
                throw Invalid(description: "auth.\(key): expected \(describe(range)), got \(value)")
            }
            return value
        }
        func nonEmpty(_ key: String, _ value: String?) throws(Invalid) -> String? {
            guard let value else { return nil }
            guard !value.isEmpty else { throw Invalid(description: "auth.\(key): expected a non-empty string") }
            return value
        }
        if let value = try bounded("access_token_ttl", section.access_token_ttl, accessTokenTTLRange) {
            settings.accessTokenTTL = value
        }
        if let value = try bounded("refresh_token_ttl", section.refresh_token_ttl, refreshTokenTTLRange) {
            settings.refreshTokenTTL = value
        }
        if let value = try bounded("session_max_lifetime", section.session_max_lifetime, 1...315_360_000) {
            settings.sessionMaxLifetime = value
        }
        if let value = try bounded("bcrypt_cost", section.bcrypt_cost, bcryptCostRange) { settings.bcryptCost = Int(value) }
        if let value = try nonEmpty("issuer", section.issuer) { settings.issuer = value }
        if let value = try nonEmpty("audience", section.audience) { settings.audience = value }
        if let secret = section.jwt_secret {
            guard secret.utf8.count >= minimumSecretBytes else {
                throw Invalid(description: "auth.jwt_secret: expected at least \(minimumSecretBytes) bytes, got \(secret.utf8.count)")
            }
            settings.jwtSecret = secret
        }
        if let previous = section.previous_jwt_secrets {
            guard previous.allSatisfy({ $0.utf8.count >= minimumSecretBytes }) else {
                throw Invalid(description: "auth.previous_jwt_secrets: every secret needs at least 32 bytes")
            }
            settings.previousJWTSecrets = previous
        }
        if let flag = section.open_registration { settings.openRegistration = flag }
        try settings.applyEnvironment(environment.filter { !$0.value.isEmpty })
        settings.sessionMaxLifetime = max(settings.sessionMaxLifetime, settings.refreshTokenTTL)
        return settings
    }

    /// The environment overrides the section, with the host's message form for its variables.
    private mutating func applyEnvironment(_ environment: [String: String]) throws(Invalid) {
        func integer(_ variable: String, _ range: ClosedRange<Int64>) throws(Invalid) -> Int64? {
            guard let text = environment[variable] else { return nil }
            guard let value = Int64(text), range.contains(value) else {
                throw Invalid(description: "environment \(variable): expected \(Self.describe(range)), got \(JSONString.quoted(text))")
            }
            return value
        }
        if let value = try integer("ACCESS_TOKEN_TTL", Self.accessTokenTTLRange) { accessTokenTTL = value }
        if let value = try integer("REFRESH_TOKEN_TTL", Self.refreshTokenTTLRange) { refreshTokenTTL = value }
        if let value = try integer("BCRYPT_COST", Self.bcryptCostRange) { bcryptCost = Int(value) }
        if let secret = environment["JWT_SECRET"] {
            guard secret.utf8.count >= Self.minimumSecretBytes else {
                throw Invalid(description: "environment JWT_SECRET: expected at least \(Self.minimumSecretBytes) bytes, "
                              + "got \(secret.utf8.count)")
            }
            jwtSecret = secret
        }
        if let text = environment["PATTERN_OPEN_REGISTRATION"] {
            switch text.lowercased() {
            case "1", "true", "yes", "on": openRegistration = true
            case "0", "false", "no", "off": openRegistration = false
            default: throw Invalid(description: "PATTERN_OPEN_REGISTRATION: expected true or false, got \"\(text)\"")
            }
        }
    }

    private static func describe(_ range: ClosedRange<Int64>) -> String {
        "an integer from \(range.lowerBound) to \(range.upperBound)"
    }

    private static let expectations = [
        "access_token_ttl": "expected an integer", "refresh_token_ttl": "expected an integer",
        "session_max_lifetime": "expected an integer", "bcrypt_cost": "expected an integer",
        "jwt_secret": "expected a string", "previous_jwt_secrets": "expected an array of strings",
        "issuer": "expected a string", "audience": "expected a string", "open_registration": "expected true or false",
    ]
}

private extension DecodingError {
    var codingKey: String? {
        switch self {
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            context.codingPath.first?.stringValue
        case .keyNotFound(let key, _): key.stringValue
        @unknown default: nil
        }
    }
}
