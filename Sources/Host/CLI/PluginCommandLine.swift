/// `pattern-server <plugin> <command> [arguments]` and the plugin commands in `help`: the
/// plugins are booted without serving, as for every one-off command, so a command finds its
/// plugin's database, configuration and secrets ready.
enum PluginCommandLine {
    static func run(plugin: String, command: String, arguments: [String], options: CommandLineOptions) -> Int32 {
        OneOffCommand.run(options) { booted, config in
            guard booted.plugins.contains(where: { $0.name == plugin }) else {
                let loaded = booted.plugins.map(\.name).joined(separator: ", ")
                Server.printError("the \(plugin) plugin is not loaded (loaded: \(loaded.isEmpty ? "none" : loaded)); put its "
                                  + "library in the plugin directory (\(PluginSource(config.plugins).directory)) "
                                  + "and enable \"\(plugin)\"")
                return 1
            }
            let commands = booted.runtime.registrations.withLock { $0.commands }.filter { $0.plugin.name == plugin }
            guard let found = commands.first(where: { $0.name == command }) else {
                let names = commands.map(\.name).joined(separator: ", ")
                Server.printError("the \(plugin) plugin has no command \"\(command)\" "
                                  + (names.isEmpty ? "(it has none)" : "(its commands: \(names))"))
                return 2
            }
            return found.run(arguments)
        }
    }

    /// The usage, then every loaded plugin's commands (booting the plugins to learn them).
    static func help(_ options: CommandLineOptions) -> Int32 {
        print(CommandLineOptions.usage)
        return OneOffCommand.run(options) { booted, _ in
            let commands = booted.runtime.registrations.withLock { $0.commands }
            print(commands.isEmpty ? "plugin commands: none among the loaded plugins" : "plugin commands:")
            for command in commands {
                print("       pattern-server \(command.plugin.name) \(command.name)"
                      + (command.usage.isEmpty ? "" : " \(command.usage)"))
                print("           \(command.summary)")
            }
            return 0
        }
    }
}

extension Server {
    /// `pattern-server <plugin> <command>`: the command's exit code, or the host's (1: the
    /// plugin is not loaded or the plugins did not boot; 2: no such command).
    public static func runPluginCommand(plugin: String, command: String, arguments: [String],
                                        _ options: CommandLineOptions) -> Int32 {
        PluginCommandLine.run(plugin: plugin, command: command, arguments: arguments, options: options)
    }

    /// `pattern-server help`: 0, or 1 when the plugins did not boot (after the usage).
    public static func help(_ options: CommandLineOptions) -> Int32 {
        PluginCommandLine.help(options)
    }
}
