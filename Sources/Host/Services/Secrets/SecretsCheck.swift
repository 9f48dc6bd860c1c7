/// The database's record of the key-encryption key its sealed values are under: one row of
/// `_pattern_secrets` with that key's id and a known text sealed with it. A start whose keys
/// cannot open it is refused before any plugin runs, so a wrong key never leads to values
/// sealed under two unrelated keys or to secrets that silently stop opening.
enum SecretsCheck {
    private static let plaintext = Array("pattern-secrets-check".utf8)
    private static let associatedData = Array("_pattern_secrets".utf8)

    enum Outcome: Equatable {
        /// The keys open the record.
        case matches
        /// There was no record: the sealing key's was written.
        case recorded
        /// The record is under another key, this key id.
        case mismatch(recordedKeyID: String)
    }

    /// The key id on record, nil when there is none.
    static func recordedKeyID(in database: Database) throws(DatabaseError) -> String? {
        try database.hostTransaction { (connection) throws(DatabaseError) -> String? in
            try row(connection)?.keyID
        }
    }

    /// Checks `keyring` against the record, writing one under its sealing key when there is none.
    static func confirm(_ keyring: SecretKeyring, in database: Database) throws(DatabaseError) -> Outcome {
        try database.hostTransaction { (connection) throws(DatabaseError) -> Outcome in
            guard let recorded = try row(connection) else {
                try insert(keyring, connection)
                return .recorded
            }
            if case .success = keyring.open(recorded.value, associatedData: associatedData) { return .matches }
            return .mismatch(recordedKeyID: recorded.keyID)
        }
    }

    /// Replaces the record with one under the keyring's sealing key: the end of a rotation.
    static func record(_ keyring: SecretKeyring, in database: Database) throws(DatabaseError) {
        try database.hostTransaction { (connection) throws(DatabaseError) in
            _ = try connection.hostExecute("DELETE FROM _pattern_secrets")
            try insert(keyring, connection)
        }
    }

    private static func row(_ connection: SQLiteConnection) throws(DatabaseError) -> (keyID: String, value: String)? {
        let rows = try connection.hostExecute("SELECT key_id, check_value FROM _pattern_secrets LIMIT 1")
        guard rows.rowCount > 0, case .text(let keyID) = rows.value(row: 0, column: 0),
              case .text(let value) = rows.value(row: 0, column: 1) else { return nil }
        return (keyID, value)
    }

    private static func insert(_ keyring: SecretKeyring, _ connection: SQLiteConnection) throws(DatabaseError) {
        guard let value = keyring.seal(plaintext, associatedData: associatedData) else {
            throw DatabaseError(.internal, "the cipher failed to seal the check value")
        }
        _ = try connection.hostExecute("INSERT INTO _pattern_secrets (key_id, check_value) VALUES (?, ?)",
                                       [.text(keyring.sealing.id), .text(value)])
    }
}
