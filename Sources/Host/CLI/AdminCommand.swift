import Foundation
import Glibc
import PluginABI

/// `pattern-server create-admin --username NAME`: boots the plugins without serving (so the
/// auth plugin's migrations run against the configured database) and creates an administrator
/// through the auth plugin's "auth.admin.v1" service. The password is PATTERN_ADMIN_PASSWORD,
/// else the first line of standard input (not echoed on a terminal). Prints one line.
enum AdminCommand {
    static func createAdmin(username: String, options: CommandLineOptions) -> Int32 {
        OneOffCommand.run(options) { booted, config in createAdmin(username: username, booted: booted, config: config) }
    }

    private static func createAdmin(username: String, booted: Server.Booted, config: ServerConfig) -> Int32 {
        guard let vtable = booted.runtime.services.lookup(PATTERN_AUTH_ADMIN_SERVICE_V1) else {
            Server.printError("the auth plugin is not loaded (no \(PATTERN_AUTH_ADMIN_SERVICE_V1) service); "
                              + "put libPatternAuth.so in the plugin directory (\(PluginSource(config.plugins).directory)) "
                              + "and enable \"auth\"")
            return 1
        }
        let service = vtable.pointer.assumingMemoryBound(to: pattern_auth_admin_v1.self)
        guard let create = ABIStruct.field(service, \.create_admin) ?? nil else {
            Server.printError("the auth plugin's \(PATTERN_AUTH_ADMIN_SERVICE_V1) service is too old for this command")
            return 1
        }
        guard let password = readPassword(), !password.isEmpty else {
            Server.printError("no password: set PATTERN_ADMIN_PASSWORD or pass it as the first line of standard input")
            return 1
        }
        var result = pattern_error.blank()
        var name = username
        var secret = password
        let status = name.withUTF8 { nameBuffer in
            secret.withUTF8 { passwordBuffer in
                create(pattern_str(ptr: nameBuffer.baseAddress.map { UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self) },
                                   len: nameBuffer.count),
                       pattern_str(ptr: passwordBuffer.baseAddress.map {
                           UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self)
                       }, len: passwordBuffer.count),
                       &result)
            }
        }
        let message = result.text
        guard status == PATTERN_OK else {
            Server.printError("create-admin: \(message.isEmpty ? "failed (status \(status))" : message)")
            return 1
        }
        print("created administrator \(username) (\(message))")
        return 0
    }

    /// PATTERN_ADMIN_PASSWORD, else the first line of stdin (echo off when it is a terminal).
    private static func readPassword() -> String? {
        if let fromEnvironment = ProcessInfo.processInfo.environment["PATTERN_ADMIN_PASSWORD"], !fromEnvironment.isEmpty {
            return fromEnvironment
        }
        let terminal = isatty(STDIN_FILENO) == 1
        var saved = termios()
        if terminal {
            FileHandle.standardError.write(Data("Password for the new administrator: ".utf8))
            tcgetattr(STDIN_FILENO, &saved)
            var silent = saved
            silent.c_lflag &= ~tcflag_t(ECHO)
            tcsetattr(STDIN_FILENO, TCSANOW, &silent)
        }
        defer {
            if terminal {
                tcsetattr(STDIN_FILENO, TCSANOW, &saved)
                FileHandle.standardError.write(Data("\n".utf8))
            }
        }
        guard var line = readLine(strippingNewline: true) else { return nil }
        if line.hasSuffix("\r") { line.removeLast() }
        return line
    }
}

extension Server {
    /// `create-admin`: the process exit code (0 created, 1 not).
    public static func createAdmin(username: String, _ options: CommandLineOptions) -> Int32 {
        AdminCommand.createAdmin(username: username, options: options)
    }
}
