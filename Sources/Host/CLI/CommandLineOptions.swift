/// The command line: `pattern-server [serve|plugins [inspect FILE]|secrets rotate-key|help|PLUGIN COMMAND ...]
/// [--option value ...]`.
public struct CommandLineOptions: Sendable, Equatable {
    public enum Command: Sendable, Equatable {
        case serve
        case listPlugins
        case inspectPlugin(String)
        /// `pattern-server <plugin> <name> [arguments]`: a command the plugin registered.
        case pluginCommand(plugin: String, name: String, arguments: [String])
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
               pattern-server PLUGIN COMMAND [ARGUMENTS] [--config FILE] [--data-dir DIR] [--plugin-dir DIR]
                   runs a plugin's command (below) with the plugins booted and nothing served
               pattern-server create-admin --username NAME [...]   the same as `pattern-server auth create-admin`
               pattern-server secrets rotate-key [--config FILE] [--data-dir DIR] [--plugin-dir DIR]
                   replaces the key-encryption key and re-seals every plugin's secrets (stop the server first)
        """

    public static func parse(_ arguments: [String]) throws(UsageError) -> CommandLineOptions {
        var options = CommandLineOptions()
        var rest = arguments[...]
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
            // The auth plugin's command under the name it had before plugins had commands.
            let arguments = try options.takeHostOptions(from: rest.dropFirst())
            guard let flag = arguments.firstIndex(of: "--username"), flag + 1 < arguments.count,
                  !arguments[flag + 1].isEmpty
            else { throw UsageError(description: "create-admin needs --username NAME") }
            options.command = .pluginCommand(plugin: "auth", name: "create-admin", arguments: arguments)
            return options
        case "secrets":
            rest = rest.dropFirst()
            guard rest.popFirst() == "rotate-key" else { throw UsageError(description: "secrets needs a command: rotate-key") }
            options.command = .rotateSecretsKey
        case "help", "--help", "-h":
            rest = rest.dropFirst()
            options.command = .help
        case let plugin? where !plugin.hasPrefix("-"):
            rest = rest.dropFirst()
            guard let name = rest.popFirst(), !name.hasPrefix("-") else {
                throw UsageError(description: "\(plugin) needs a command: pattern-server \(plugin) COMMAND "
                                 + "(`pattern-server help` lists the plugins' commands)")
            }
            options.command = .pluginCommand(plugin: plugin, name: name, arguments: try options.takeHostOptions(from: rest))
            return options
        default:
            break
        }
        while let flag = rest.popFirst() {
            guard let value = rest.popFirst() else { throw UsageError(description: "\(flag) needs a value") }
            if options.setHostOption(flag, value) { continue }
            switch flag {
            case "--host": options.host = value
            case "--port":
                guard let port = Int(value), (0...65535).contains(port) else {
                    throw UsageError(description: "--port: expected an integer from 0 to 65535, got \"\(value)\"")
                }
                options.port = port
            default:
                throw UsageError(description: "unknown option \(flag)")
            }
        }
        return options
    }

    /// The options every command that boots the plugins takes; false for any other flag.
    private mutating func setHostOption(_ flag: String, _ value: String) -> Bool {
        switch flag {
        case "--config": configFile = value
        case "--plugin-dir": pluginDirectory = value
        case "--data-dir": dataDirectory = value
        default: return false
        }
        return true
    }

    /// A plugin command's words less the host's options (and their values), wherever they stand.
    private mutating func takeHostOptions(from words: ArraySlice<String>) throws(UsageError) -> [String] {
        var words = words
        var arguments: [String] = []
        while let word = words.popFirst() {
            guard ["--config", "--plugin-dir", "--data-dir"].contains(word) else {
                arguments.append(word)
                continue
            }
            guard let value = words.popFirst() else { throw UsageError(description: "\(word) needs a value") }
            _ = setHostOption(word, value)
        }
        return arguments
    }
}
