import AuthTokens
import Foundation
import PluginKit

/// The auth plugin: users, password and API-key logins, JWT access and refresh tokens with
/// rotation and reuse detection, API keys, and the AUTHENTICATE middleware every other
/// plugin relies on (API.md: Auth, Users, API keys).
enum AuthPlugin: PatternPlugin {
    static let name = "auth"
    static let version = "1.0.0"
    static let summary = "Users, logins, JWT access/refresh tokens, API keys, authentication middleware"

    static func setUp(_ host: PluginHost) throws {
        let environment = ProcessInfo.processInfo.environment
        let settings = try AuthSettings.load(json: host.configJSON, environment: environment)
        let keys = try SigningKeys.load(settings: settings, dataDirectory: host.dataDirectory) { host.log(.info, $0) }
        guard let hasher = PasswordHasher(cost: settings.bcryptCost) else {
            throw AuthSettings.Invalid(description: "auth: bcrypt is unavailable at cost \(settings.bcryptCost)")
        }
        for (index, sql) in Migrations.all.enumerated() { try host.migration(Int32(index + 1), sql) }

        let services = AuthServices(host: host, settings: settings, keys: keys, hasher: hasher)
        try? services.sessions.prune(now: Clock.milliseconds())
        try FirstAdmin.createIfNeeded(services, environment: environment)

        let middleware = AuthenticationMiddleware(services: services)
        try host.middleware(.authenticate, threading: .inlineUnlessBlocking) { middleware.run($0) }
        // First in AUTHORIZE: other plugins' checks never see a request whose credential was bad.
        try host.middleware(.authorize, order: .min, threading: .inline) { middleware.refuseRejected($0) }
        try LoginRoutes(services: services).register(on: host)
        try UserRoutes(services: services).register(on: host)
        try APIKeyRoutes(services: services).register(on: host)
        try AdminService.provide(services, on: host)
        if host.runsCommands { try CreateAdminCommand.register(services, on: host) }
        host.reportHealth(.ok)
        host.log(.info, "auth ready: open registration \(settings.openRegistration ? "on" : "off"), "
                 + "access tokens \(settings.accessTokenTTL) s, refresh tokens \(settings.refreshTokenTTL) s, "
                 + "bcrypt cost \(settings.bcryptCost)")
    }
}

@c(pattern_plugin_entry_v1)
public func patternPluginEntry() -> UnsafeRawPointer { PluginExport.descriptor(for: AuthPlugin.self) }
