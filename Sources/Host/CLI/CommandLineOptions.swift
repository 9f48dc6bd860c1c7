/// The command line: `pattern-server [serve|plugins [inspect FILE]|create-admin|secrets rotate-key] [--option value ...]`.
public struct CommandLineOptions: Sendable, Equatable {
    public enum Command: Sendable, Equatable {
        case serve
        case listPlugins
        case inspectPlugin(String)
        case createAdmin(username: String)
        case rotateSecretsKey
        case help
    }

    public var command = Command.serve
    public var configFile: String?
    public var pluginDirectory: String?
    public var host: String?
    public var port: Int?
    public var dataDirectory: String?

    public struct UsageError: Error, CustomStringConvertible {
        public let description: String
    }

    public static let usage = """
        usage: pattern-server [serve] [--config FILE] [--plugin-dir DIR] [--host ADDRESS] [--port N] [--data-dir DIR]
               pattern-server plugins [--plugin-dir DIR] [--config FILE]   list plugins without starting them
               pattern-server plugins inspect FILE                          show one plugin's descriptor
               pattern-server create-admin --username NAME [--config FILE] [--data-dir DIR] [--plugin-dir DIR]
                   creates an administrator; password from PATTERN_ADMIN_PASSWORD or the first line of stdin
               pattern-server secrets rotate-key [--config FILE] [--data-dir DIR] [--plugin-dir DIR]
                   replaces the key-encryption key and re-seals every plugin's secrets (stop the server first)
        """

    public static func parse(_ arguments: [String]) throws(UsageError) -> CommandLineOptions {
        var options = CommandLineOptions()
        var rest = arguments[...]
        var adminUsername: String?
        var creatingAdmin = false
        switch rest.first {
        case "serve":
            rest = rest.dropFirst()
        case "plugins":
            rest = rest.dropFirst()
            if rest.first == "inspect" {
                rest = rest.dropFirst()
                guard let file = rest.popFirst(), !file.hasPrefix("--") else {
                    throw UsageError(description: "plugins inspect needs a FILE")
                }
                options.command = .inspectPlugin(file)
            } else {
                options.command = .listPlugins
            }
        case "create-admin":
            rest = rest.dropFirst()
            creatingAdmin = true
        case "secrets":
            rest = rest.dropFirst()
            guard rest.popFirst() == "rotate-key" else { throw UsageError(description: "secrets needs a command: rotate-key") }
            options.command = .rotateSecretsKey
        case "help", "--help", "-h":
            options.command = .help
            return options
        default:
            break
        }
        while let flag = rest.popFirst() {
            guard let value = rest.popFirst() else { throw UsageError(description: "\(flag) needs a value") }
            switch flag {
            case "--config": options.configFile = value
            case "--plugin-dir": options.pluginDirectory = value
            case "--host": options.host = value
            case "--data-dir": options.dataDirectory = value
            case "--username" where creatingAdmin: adminUsername = value
            case "--port":
                guard let port = Int(value), (0...65535).contains(port) else {
                    throw UsageError(description: "--port: expected an integer from 0 to 65535, got \"\(value)\"")
                }
                options.port = port
            default:
                throw UsageError(description: "unknown option \(flag)")
            }
        }
        if creatingAdmin {
            guard let adminUsername, !adminUsername.isEmpty else {
                throw UsageError(description: "create-admin needs --username NAME")
            }
            options.command = .createAdmin(username: adminUsername)
        }
        return options
    }
}
