/// This process's keyring, loaded at start before any plugin: from `PATTERN_KEK` (with
/// `PATTERN_KEK_NEXT` while a rotation is under way) or else from the key files in the data
/// directory, then checked against the database's record (SecretsCheck). Either source may
/// hold a next key: then it seals, and both open.
struct SecretKeys: Sendable {
    enum Source: Sendable {
        case environment
        case files(KeyFiles)
    }

    /// Serving (and one-off commands) use the keys as they are; a rotation needs a next key.
    enum Purpose {
        case serve, rotate
    }

    static let environmentKey = "PATTERN_KEK"
    static let environmentNextKey = "PATTERN_KEK_NEXT"

    let keyring: SecretKeyring
    let source: Source
    /// The key in force while the keyring seals with the next one; nil when there is no next.
    let rotatingFrom: KeyEncryptionKey?

    static func load(for purpose: Purpose, environment: [String: String], dataDirectory: String,
                     database: Database, logger: Logger) throws(Server.StartError) -> SecretKeys {
        var keys = environment[environmentKey] != nil
            ? try fromEnvironment(environment, purpose)
            : try fromFiles(KeyFiles(directory: dataDirectory), environment, database, logger)
        try keys.confirm(database)
        if purpose == .rotate, keys.rotatingFrom == nil, case .files(let files) = keys.source {
            // Written before anything is re-sealed under it, so a crash from here on loses nothing.
            let next = KeyEncryptionKey.generate()
            try files.replace(files.next, with: next)
            keys = SecretKeys(keyring: SecretKeyring(sealing: next, alsoOpening: [keys.keyring.sealing]),
                              source: keys.source, rotatingFrom: keys.keyring.sealing)
        }
        if let from = keys.rotatingFrom, purpose == .serve {
            let how = switch keys.source {
            case .environment: "PATTERN_KEK_NEXT is set"
            case .files(let files): "a key rotation was interrupted (\(files.next) exists)"
            }
            logger.log(.warn, "\(how): sealing with the next key and opening with both until `pattern-server secrets "
                       + "rotate-key` is run (again) to complete the rotation",
                       ["key_id": from.id, "next_key_id": keys.keyring.sealing.id])
        }
        return keys
    }

    /// Where the key in force comes from, for messages.
    var location: String {
        switch source {
        case .environment: Self.environmentKey
        case .files(let files): files.current
        }
    }

    private static func fromEnvironment(_ environment: [String: String], _ purpose: Purpose)
        throws(Server.StartError) -> SecretKeys
    {
        guard let current = try parse(environmentKey, environment) else { preconditionFailure("checked by the caller") }
        let next = try parse(environmentNextKey, environment)
        if let next, next.id == current.id {
            throw Server.StartError(description: "\(environmentNextKey) holds the same key as \(environmentKey) (\(current))")
        }
        if purpose == .rotate, next == nil {
            throw Server.StartError(description: "the key-encryption key comes from \(environmentKey), which this command "
                                    + "cannot change: set \(environmentNextKey) to a new key (64 hex digits, e.g. from "
                                    + "`openssl rand -hex 32`) beside it and run rotate-key again, then make that value "
                                    + "\(environmentKey) and unset \(environmentNextKey)")
        }
        return SecretKeys(keyring: SecretKeyring(sealing: next ?? current, alsoOpening: [current]),
                          source: .environment, rotatingFrom: next.map { _ in current })
    }

    private static func fromFiles(_ files: KeyFiles, _ environment: [String: String], _ database: Database,
                                  _ logger: Logger) throws(Server.StartError) -> SecretKeys {
        if environment[environmentNextKey] != nil {
            throw Server.StartError(description: "\(environmentNextKey) is set without \(environmentKey): the key in force "
                                    + "is the file \(files.current), which `pattern-server secrets rotate-key` rotates; "
                                    + "unset \(environmentNextKey)")
        }
        let current = try keyInForce(files, database, logger)
        let next = try files.read(files.next, logger: logger)
        return SecretKeys(keyring: SecretKeyring(sealing: next ?? current, alsoOpening: [current]),
                          source: .files(files), rotatingFrom: next.map { _ in current })
    }

    /// The key file's key; without the file, a new key for a database that has no sealed values
    /// yet. When the database already names a key, its file was lost: a new one would hide that.
    private static func keyInForce(_ files: KeyFiles, _ database: Database, _ logger: Logger)
        throws(Server.StartError) -> KeyEncryptionKey
    {
        if let stored = try files.read(files.current, logger: logger) { return stored }
        let recorded: String?
        do {
            recorded = try SecretsCheck.recordedKeyID(in: database)
        } catch {
            throw Server.StartError(description: "database: \(error.message)")
        }
        if let recorded {
            throw Server.StartError(description: "\(files.current) does not exist, but this database's secrets are sealed "
                                    + "under key id \(recorded): restore that key file (or set \(environmentKey) to it)")
        }
        let key = KeyEncryptionKey.generate()
        guard try files.create(key, at: files.current) else {
            // Another process starting at the same moment made it first: use theirs.
            guard let theirs = try files.read(files.current, logger: logger) else {
                throw Server.StartError(description: "\(files.current) vanished while it was being created")
            }
            return theirs
        }
        logger.log(.info, "generated the key-encryption key (mode 0600)", ["path": files.current, "key_id": key.id])
        return key
    }

    private static func parse(_ name: String, _ environment: [String: String]) throws(Server.StartError) -> KeyEncryptionKey? {
        guard let text = environment[name] else { return nil }
        switch KeyEncryptionKey.parse(hex: text) {
        case .success(let key): return key
        case .failure(let problem): throw Server.StartError(description: "\(name): \(problem)")
        }
    }

    private func confirm(_ database: Database) throws(Server.StartError) {
        let outcome: SecretsCheck.Outcome
        do {
            outcome = try SecretsCheck.confirm(keyring, in: database)
        } catch {
            throw Server.StartError(description: "database: \(error.message)")
        }
        if case .mismatch(let recorded) = outcome {
            let key = rotatingFrom ?? keyring.sealing
            throw Server.StartError(description: "the key-encryption key in \(location) (key id \(key.id)) does not match "
                                    + "this database's secrets (key id \(recorded)): restore the right key")
        }
    }
}
