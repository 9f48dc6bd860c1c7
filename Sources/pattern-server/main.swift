import Foundation
import Host

// The executable is only the command line; everything else lives in the Host library.
let options: CommandLineOptions
do {
    options = try CommandLineOptions.parse(Array(CommandLine.arguments.dropFirst()))
} catch {
    FileHandle.standardError.write(Data("error: \(error.description)\n\(CommandLineOptions.usage)\n".utf8))
    exit(2)
}

switch options.command {
case .help:
    exit(Server.help(options))
case .serve:
    exit(Server.run(options))
case .pluginCommand(let plugin, let name, let arguments):
    exit(Server.runPluginCommand(plugin: plugin, command: name, arguments: arguments, options))
case .rotateSecretsKey:
    exit(Server.rotateSecretsKey(options))
case .listPlugins, .inspectPlugin:
    do {
        print(try Server.pluginReport(options))
    } catch {
        FileHandle.standardError.write(Data("error: \(error)\n".utf8))
        exit(1)
    }
}
