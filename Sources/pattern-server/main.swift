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
    print(CommandLineOptions.usage)
case .serve:
    exit(Server.run(options))
case .createAdmin(let username):
    exit(Server.createAdmin(username: username, options))
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
