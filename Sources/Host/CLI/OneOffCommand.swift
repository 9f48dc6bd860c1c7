/// What the commands that boot the plugins without serving (`create-admin`, `secrets
/// rotate-key`) share: the effective config, a logger of errors only (the one line a command
/// prints is its result), the plugins started, and their shutdown callbacks afterwards.
enum OneOffCommand {
    /// Runs `body` on the booted plugins; a failure to boot prints its one line and gives 1.
    static func run(_ options: CommandLineOptions, secrets purpose: SecretKeys.Purpose = .serve,
                    _ body: (Server.Booted, ServerConfig) -> Int32) -> Int32 {
        let config: ServerConfig
        do {
            config = try Server.effectiveConfig(options)
        } catch {
            Server.printError(error.description)
            return 1
        }
        let logger = Logger(level: .error, format: LogFormat(rawValue: config.log.format.rawValue) ?? .logfmt)
        defer { logger.flush() }
        let booted: Server.Booted
        do {
            booted = try Server.boot(config: config, logger: logger, secrets: purpose)
        } catch {
            logger.flush()
            Server.printError(String(describing: error))
            return 1
        }
        defer { Server.shutDown(booted.plugins) }
        return body(booted, config)
    }
}
