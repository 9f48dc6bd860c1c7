import PluginKit

/// The first administrator from `PATTERN_ADMIN_USERNAME` + `PATTERN_ADMIN_PASSWORD`, created
/// only on a start with an empty user table (afterwards the variables are ignored). There is
/// never a built-in account or password.
enum FirstAdmin {
    struct Refused: Error, CustomStringConvertible {
        let description: String
    }

    static func createIfNeeded(_ services: AuthServices, environment: [String: String]) throws {
        let username = environment["PATTERN_ADMIN_USERNAME"].flatMap { $0.isEmpty ? nil : $0 }
        let password = environment["PATTERN_ADMIN_PASSWORD"].flatMap { $0.isEmpty ? nil : $0 }
        guard try services.users.count() == 0 else { return }
        guard let username else {
            services.host.log(.warn, "no users yet: create the first administrator with `pattern-server auth create-admin "
                              + "--username NAME`, or set PATTERN_ADMIN_USERNAME and PATTERN_ADMIN_PASSWORD")
            return
        }
        guard let password else {
            throw Refused(description: "auth: PATTERN_ADMIN_USERNAME is set but PATTERN_ADMIN_PASSWORD is not")
        }
        do {
            let user = try services.createUser(username: username, password: password, email: nil, displayName: nil,
                                               isAdmin: true)
            services.events.userCreated(user, by: nil)
            services.host.log(.info, "created the first administrator \(user.username) (\(user.id)) from the environment")
        } catch .invalid(let error) {
            throw Refused(description: "auth: PATTERN_ADMIN_USERNAME/PATTERN_ADMIN_PASSWORD: \(error.message)")
        } catch {
            throw Refused(description: "auth: the first administrator could not be stored")
        }
    }
}
