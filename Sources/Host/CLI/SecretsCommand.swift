/// `pattern-server secrets rotate-key`: replaces the key-encryption key. Boots the plugins
/// without serving, holding the data directory alone, with a keyring that seals under the next
/// key (made into `secrets.key.next`, or `PATTERN_KEK_NEXT`) and opens under both; runs every
/// plugin's rotation callback; records the next key as the database's; and, for key files,
/// renames `secrets.key.next` over `secrets.key`. The first plugin that fails stops it with
/// both keys kept, so running it again completes the rotation. Prints one line.
enum SecretsCommand {
    static func rotateKey(_ options: CommandLineOptions) -> Int32 {
        OneOffCommand.run(options, secrets: .rotate) { booted, _ in rotate(booted) }
    }

    private static func rotate(_ booted: Server.Booted) -> Int32 {
        let secrets = booted.secrets
        guard let previous = secrets.rotatingFrom else {
            Server.printError("no next key to rotate to") // unreachable: SecretKeys makes or demands one
            return 1
        }
        let next = secrets.keyring.sealing
        let rotations = booted.runtime.registrations.withLock { $0.rotations }
        for rotation in rotations {
            if let failure = rotation.run() {
                Server.printError("plugin \(rotation.plugin.name) could not re-seal its secrets (\(failure)); both keys "
                                  + "are kept: fix the cause and run `pattern-server secrets rotate-key` again")
                return 1
            }
        }
        do {
            try SecretsCheck.record(secrets.keyring, in: booted.runtime.database)
        } catch {
            Server.printError("database: \(error.message); both keys are kept: run `pattern-server secrets rotate-key` again")
            return 1
        }
        let plugins = Set(rotations.map(\.plugin.name)).count
        switch secrets.source {
        case .files(let files):
            do {
                try files.promoteNext()
            } catch {
                Server.printError("\(error.description); run `pattern-server secrets rotate-key` again")
                return 1
            }
            print("rotated the key-encryption key in \(files.current): key id \(previous.id) -> \(next.id); "
                  + "\(plugins) plugin(s) re-sealed their secrets")
        case .environment:
            print("re-sealed every secret under \(SecretKeys.environmentNextKey) (key id \(previous.id) -> \(next.id)) in "
                  + "\(plugins) plugin(s): now set \(SecretKeys.environmentKey) to its value and unset "
                  + "\(SecretKeys.environmentNextKey)")
        }
        return 0
    }
}

extension Server {
    /// `secrets rotate-key`: the process exit code (0 rotated, 1 not).
    public static func rotateSecretsKey(_ options: CommandLineOptions) -> Int32 {
        SecretsCommand.rotateKey(options)
    }
}
