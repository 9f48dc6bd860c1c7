import Testing
@testable import Host

@Suite struct CommandLineOptionsTests {
    @Test func aPluginCommandKeepsItsWordsLessTheHostsOptions() throws {
        let options = try CommandLineOptions.parse(
            ["auth", "create-admin", "--plugin-dir", "/p", "--username", "root", "--data-dir", "/d", "--config", "c.toml"])
        #expect(options.command == .pluginCommand(plugin: "auth", name: "create-admin", arguments: ["--username", "root"]))
        #expect(options.pluginDirectory == "/p" && options.dataDirectory == "/d" && options.configFile == "c.toml")
    }

    @Test func createAdminIsTheAuthPluginsCommand() throws {
        let options = try CommandLineOptions.parse(["create-admin", "--username", "root", "--data-dir", "/d"])
        #expect(options.command == .pluginCommand(plugin: "auth", name: "create-admin", arguments: ["--username", "root"]))
        #expect(options.dataDirectory == "/d")
        #expect(throws: CommandLineOptions.UsageError.self) { try CommandLineOptions.parse(["create-admin"]) }
        #expect(throws: CommandLineOptions.UsageError.self) { try CommandLineOptions.parse(["create-admin", "--username", ""]) }
    }

    @Test func aPluginNeedsACommandAndHostOptionsTheirValues() {
        #expect(throws: CommandLineOptions.UsageError.self) { try CommandLineOptions.parse(["auth"]) }
        #expect(throws: CommandLineOptions.UsageError.self) { try CommandLineOptions.parse(["auth", "--port", "1"]) }
        #expect(throws: CommandLineOptions.UsageError.self) { try CommandLineOptions.parse(["auth", "create-admin", "--data-dir"]) }
    }

    @Test func helpAndServeTakeTheirOptions() throws {
        let help = try CommandLineOptions.parse(["help", "--plugin-dir", "/p"])
        #expect(help.command == .help && help.pluginDirectory == "/p")
        let serve = try CommandLineOptions.parse(["--port", "8080"])
        #expect(serve.command == .serve && serve.port == 8080)
    }
}
