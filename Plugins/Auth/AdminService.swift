import PluginABI
import PluginKit
import Synchronization

/// The "auth.admin.v1" named service (pattern_auth_admin_service.h): creates administrators for
/// operators' tools, as `pattern-server auth create-admin` does.
enum AdminService {
    /// C function pointers cannot capture, so the vtable's function finds the plugin here.
    private static let services = Mutex<AuthServices?>(nil)

    // @unchecked: the vtable is written once in `provide` and never changed; it lives forever.
    private struct VTablePointer: @unchecked Sendable {
        let pointer: UnsafeMutablePointer<pattern_auth_admin_v1>
    }

    private static let vtable: VTablePointer = {
        let pointer = UnsafeMutablePointer<pattern_auth_admin_v1>.allocate(capacity: 1)
        pointer.initialize(to: pattern_auth_admin_v1(
            struct_size: UInt32(MemoryLayout<pattern_auth_admin_v1>.size),
            create_admin: { username, password, result in AdminService.createAdmin(username, password, result) }))
        return VTablePointer(pointer: pointer)
    }()

    static func provide(_ authServices: AuthServices, on host: PluginHost) throws {
        services.withLock { $0 = authServices }
        try host.provideService(PATTERN_AUTH_ADMIN_SERVICE_V1, vtable: UnsafeRawPointer(vtable.pointer))
    }

    private static func createAdmin(_ username: pattern_str, _ password: pattern_str,
                                    _ result: UnsafeMutablePointer<pattern_error>?) -> pattern_status {
        guard let authServices = services.withLock({ $0 }) else {
            write("the auth plugin is not initialised", to: result)
            return PATTERN_STATE
        }
        let outcome = createAdmin(username: username.string, password: password.string, in: authServices)
        write(outcome.message, to: result)
        return outcome.status
    }

    /// Creates an active administrator: PATTERN_OK with the new user's id, or the status and
    /// one line saying why (the password is never in it).
    static func createAdmin(username: String, password: String,
                            in authServices: AuthServices) -> (status: pattern_status, message: String) {
        do {
            let user = try authServices.createUser(username: username, password: password, email: nil,
                                                   displayName: nil, isAdmin: true)
            authServices.events.userCreated(user, by: nil)
            authServices.host.log(.info, "administrator \(user.username) created (\(user.id))")
            return (PATTERN_OK, user.id)
        } catch .invalid(let error) {
            return (PATTERN_INVALID, error.message)
        } catch .usernameTaken {
            return (PATTERN_CONFLICT, "username \(username) is already taken")
        } catch {
            return (PATTERN_INTERNAL, "the user could not be stored (see the server log)")
        }
    }

    private static func write(_ message: String, to result: UnsafeMutablePointer<pattern_error>?) {
        guard let result, result.pointee.struct_size >= UInt32(MemoryLayout<pattern_error>.size) else { return }
        let bytes = Array(message.utf8.prefix(255))
        withUnsafeMutableBytes(of: &result.pointee.message) { buffer in
            for (index, byte) in bytes.enumerated() { buffer[index] = byte }
            buffer[bytes.count] = 0
        }
    }
}
