import Foundation
import Glibc
import PluginABI
import PluginKit

/// `pattern-server auth create-admin --username NAME` (also `pattern-server create-admin`):
/// creates an active administrator in the configured database. The password is
/// PATTERN_ADMIN_PASSWORD, else the first line of standard input (not echoed on a terminal).
/// Prints one line.
enum CreateAdminCommand {
    static func register(_ services: AuthServices, on host: PluginHost) throws {
        try host.command("create-admin", usage: "--username NAME",
                         summary: "creates an administrator; password from PATTERN_ADMIN_PASSWORD or the first line of stdin") {
            run($0, services)
        }
    }

    private static func run(_ arguments: [String], _ services: AuthServices) -> Int32 {
        guard arguments.count == 2, arguments[0] == "--username", !arguments[1].isEmpty else {
            printError("usage: pattern-server auth create-admin --username NAME")
            return 2
        }
        let username = arguments[1]
        guard let password = readPassword(), !password.isEmpty else {
            printError("no password: set PATTERN_ADMIN_PASSWORD or pass it as the first line of standard input")
            return 1
        }
        let outcome = AdminService.createAdmin(username: username, password: password, in: services)
        guard outcome.status == PATTERN_OK else {
            printError("create-admin: \(outcome.message)")
            return 1
        }
        print("created administrator \(username) (\(outcome.message))")
        return 0
    }

    private static func printError(_ message: String) {
        FileHandle.standardError.write(Data("error: \(message)\n".utf8))
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
