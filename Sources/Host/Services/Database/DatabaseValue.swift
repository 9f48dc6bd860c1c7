// Values and errors of the host's SQL database layer (SQLite today; see Database.swift).
import CSQLite

/// One SQL value, as bound to a `?` parameter or read from a result column.
enum DatabaseValue: Sendable, Equatable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])
}

/// A failed database operation. `message` is SQLite's own text (plus context such as the
/// plugin and migration version): it is for the log, never for HTTP clients.
struct DatabaseError: Error, Sendable, CustomStringConvertible {
    enum Kind: Sendable, Equatable {
        /// A constraint was violated (UNIQUE, NOT NULL, CHECK, FOREIGN KEY ...).
        case conflict
        /// The database stayed locked past the busy timeout.
        case busy
        /// The statement or its use is wrong: bad SQL, wrong parameter count, a forbidden
        /// statement (transaction control, ATTACH, setting a PRAGMA), misuse.
        case invalid
        /// Anything else: I/O, corruption, out of memory, a closed database.
        case `internal`
    }

    var kind: Kind
    var message: String
    /// SQLite's extended result code, or 0 when the error did not come from SQLite.
    var code: Int32 = 0

    init(_ kind: Kind, _ message: String, code: Int32 = 0) {
        self.kind = kind
        self.message = message
        self.code = code
    }

    /// Maps an SQLite result code (primary or extended) to a kind.
    static func kind(forSQLiteCode code: Int32) -> Kind {
        switch code & 0xff {
        case SQLITE_CONSTRAINT: .conflict
        case SQLITE_BUSY, SQLITE_LOCKED: .busy
        case SQLITE_ERROR, SQLITE_RANGE, SQLITE_MISUSE, SQLITE_AUTH, SQLITE_TOOBIG, SQLITE_MISMATCH: .invalid
        default: .internal
        }
    }

    /// The error for `code` with the connection's current message.
    init(sqliteCode code: Int32, connection: OpaquePointer?, context: String? = nil) {
        var text = connection.flatMap { sqlite3_errmsg($0) }.map { String(cString: $0) }
            ?? String(cString: sqlite3_errstr(code))
        if let context { text = "\(context): \(text)" }
        self.init(Self.kind(forSQLiteCode: code), text, code: code)
    }

    var description: String { "database error (\(kind)): \(message)" }
}
