// One SQLite connection with its prepared-statement cache.
import CSQLite
import Foundation

/// SQLITE_TRANSIENT: SQLite copies bound text and blobs before the bind call returns.
private let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

/// Who is preparing statements on a connection, read by the authorizer callback.
private let pluginMode: Int32 = 0
private let hostMode: Int32 = 1

/// Pragmas a plugin may run with an argument: introspection only. Setting pragmas
/// (query_only, foreign_keys, journal_mode, synchronous, writable_schema ...) is the host's.
private let introspectionPragmas: Set<String> = [
    "table_info", "table_xinfo", "index_list", "index_info", "index_xinfo", "foreign_key_list",
    "foreign_key_check", "integrity_check", "quick_check",
]

/// Restricts what plugin statements may do; host statements (mode flag 1) may do anything.
/// Denied: transaction control (the host owns transactions; a BEGIN on a pooled reader
/// would poison it), ATTACH/DETACH, setting pragmas, and writes to the host's `_pattern_*`
/// tables. A denial makes prepare fail with SQLITE_AUTH.
private let authorizer: @convention(c) (UnsafeMutableRawPointer?, Int32, UnsafePointer<CChar>?,
                                        UnsafePointer<CChar>?, UnsafePointer<CChar>?,
                                        UnsafePointer<CChar>?) -> Int32 = { flag, action, arg1, arg2, _, _ in
    guard let flag, flag.load(as: Int32.self) == pluginMode else { return SQLITE_OK }
    func isHostTable(_ name: UnsafePointer<CChar>?) -> Bool {
        guard let name else { return false }
        return strncasecmp(name, "_pattern_", 9) == 0
    }
    switch action {
    case SQLITE_TRANSACTION, SQLITE_SAVEPOINT, SQLITE_ATTACH, SQLITE_DETACH:
        return SQLITE_DENY
    case SQLITE_PRAGMA:
        guard arg2 != nil else { return SQLITE_OK } // reading a pragma's value
        guard let arg1, introspectionPragmas.contains(String(cString: arg1).lowercased()) else {
            return SQLITE_DENY
        }
        return SQLITE_OK
    case SQLITE_INSERT, SQLITE_UPDATE, SQLITE_DELETE, SQLITE_DROP_TABLE:
        return isHostTable(arg1) ? SQLITE_DENY : SQLITE_OK // arg1 is the table
    case SQLITE_CREATE_INDEX, SQLITE_CREATE_TRIGGER, SQLITE_ALTER_TABLE:
        return isHostTable(arg2) ? SQLITE_DENY : SQLITE_OK // arg2 is the table
    default:
        return SQLITE_OK
    }
}

/// A prepared statement kept for reuse; `lastUse` orders the LRU eviction.
private final class CachedStatement {
    let statement: OpaquePointer
    let isReadOnly: Bool
    var lastUse: UInt64

    init(statement: OpaquePointer, isReadOnly: Bool, lastUse: UInt64) {
        self.statement = statement
        self.isReadOnly = isReadOnly
        self.lastUse = lastUse
    }
}

/// One connection, opened with SQLITE_OPEN_NOMUTEX: SQLite does no locking of its own, so
/// every use must be serialised by the owner (Database's writer Mutex or reader pool).
final class SQLiteConnection: @unchecked Sendable { // used by one thread at a time: Database serialises all access
    private var handle: OpaquePointer?
    /// Plugin statements, keyed by SQL text, at most `cacheCapacity`, least recently used evicted.
    private var cache: [String: CachedStatement] = [:]
    /// The host's own few statements (BEGIN, COMMIT, the migrations table), prepared in host
    /// mode and kept apart so a plugin's identical text never runs with host privileges.
    private var hostStatements: [String: OpaquePointer] = [:]
    private var clock: UInt64 = 0
    private let cacheCapacity: Int
    /// The authorizer's mode flag; lives as long as the connection.
    private let mode: UnsafeMutablePointer<Int32>

    /// Opens (creating if needed) the database at `path`. The writer puts the file in WAL
    /// mode; readers refuse writes (query_only) as a second line of defence.
    init(path: String, isReader: Bool, busyTimeoutMilliseconds: Int, cacheCapacity: Int) throws(DatabaseError) {
        self.cacheCapacity = max(1, cacheCapacity)
        mode = .allocate(capacity: 1)
        mode.initialize(to: hostMode)
        var db: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_PRIVATECACHE
        let rc = sqlite3_open_v2(path, &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            let error = DatabaseError(sqliteCode: rc, connection: db, context: "cannot open \(path)")
            sqlite3_close_v2(db)
            throw error
        }
        handle = db
        sqlite3_extended_result_codes(db, 1)
        sqlite3_busy_timeout(db, Int32(clamping: max(0, busyTimeoutMilliseconds)))
        sqlite3_set_authorizer(db, authorizer, mode)
        if isReader {
            try hostExecute("PRAGMA foreign_keys = ON")
            try hostExecute("PRAGMA query_only = ON")
        } else {
            let journal = try hostExecute("PRAGMA journal_mode = WAL")
            guard journal.rowCount == 1, journal.value(row: 0, column: 0) == .text("wal") else {
                throw DatabaseError(.internal, "cannot put \(path) in WAL mode")
            }
            // Durability: an acknowledged (committed) write must survive `kill -9` of the
            // server. In WAL mode a commit is a write() of its frames to the -wal file, which
            // the kernel keeps once the call returns, whatever happens to the process; with
            // synchronous=NORMAL only the fsync at commit is skipped (WAL is fsynced at
            // checkpoints), so just an OS crash or power loss can lose the latest commits.
            // FULL would fsync every commit for protection against that, at a large cost.
            try hostExecute("PRAGMA synchronous = NORMAL")
            try hostExecute("PRAGMA foreign_keys = ON")
        }
        mode.pointee = pluginMode
    }

    deinit {
        close()
        mode.deallocate()
    }

    var isOpen: Bool { handle != nil }

    /// Finalizes every statement and closes the connection; later calls throw.
    func close() {
        for entry in cache.values { sqlite3_finalize(entry.statement) }
        for statement in hostStatements.values { sqlite3_finalize(statement) }
        cache.removeAll()
        hostStatements.removeAll()
        if let handle { sqlite3_close_v2(handle) }
        handle = nil
    }

    /// True while a transaction is open on this connection.
    var inTransaction: Bool {
        guard let handle else { return false }
        return sqlite3_get_autocommit(handle) == 0
    }

    // MARK: Plugin statements

    /// Runs one plugin statement from the cache. With `readOnlyOnly`, a statement that
    /// would write is neither run nor cached and the result is nil.
    func execute(_ sql: String, _ parameters: [DatabaseValue], readOnlyOnly: Bool) throws(DatabaseError) -> ResultSet? {
        guard let db = handle else { throw DatabaseError(.internal, "the database is closed") }
        clock &+= 1
        let statement: OpaquePointer
        let isReadOnly: Bool
        if let entry = cache[sql] {
            entry.lastUse = clock
            statement = entry.statement
            isReadOnly = entry.isReadOnly
        } else {
            statement = try prepareSingle(sql, db)
            isReadOnly = sqlite3_stmt_readonly(statement) != 0
            if readOnlyOnly && !isReadOnly {
                sqlite3_finalize(statement)
                return nil
            }
            if cache.count >= cacheCapacity, let oldest = cache.min(by: { $0.value.lastUse < $1.value.lastUse }) {
                sqlite3_finalize(oldest.value.statement)
                cache.removeValue(forKey: oldest.key)
            }
            cache[sql] = CachedStatement(statement: statement, isReadOnly: isReadOnly, lastUse: clock)
        }
        if readOnlyOnly && !isReadOnly { return nil }
        return try run(statement, parameters, isReadOnly: isReadOnly, db)
    }

    /// Runs a plugin's SQL script (one or more statements, e.g. a migration), uncached.
    func executeScript(_ sql: String) throws(DatabaseError) {
        guard let db = handle else { throw DatabaseError(.internal, "the database is closed") }
        guard !sql.utf8.contains(0) else { throw DatabaseError(.invalid, "SQL contains a NUL byte") }
        var failure: DatabaseError?
        sql.withCString { start in
            var cursor: UnsafePointer<CChar>? = start
            while let current = cursor, current.pointee != 0 {
                var statement: OpaquePointer?
                var tail: UnsafePointer<CChar>?
                let rc = sqlite3_prepare_v2(db, current, -1, &statement, &tail)
                guard rc == SQLITE_OK else {
                    failure = DatabaseError(sqliteCode: rc, connection: db)
                    return
                }
                cursor = tail
                guard let statement else { continue } // only whitespace or comments
                var step = sqlite3_step(statement)
                while step == SQLITE_ROW { step = sqlite3_step(statement) }
                if step != SQLITE_DONE { failure = DatabaseError(sqliteCode: step, connection: db) }
                sqlite3_finalize(statement)
                if failure != nil { return }
            }
        }
        if let failure { throw failure }
    }

    /// Prepares exactly one statement (persistent, for the cache). More than one statement
    /// in the text is refused, so a caller's string can never smuggle in a second one.
    private func prepareSingle(_ sql: String, _ db: OpaquePointer) throws(DatabaseError) -> OpaquePointer {
        guard !sql.utf8.contains(0) else { throw DatabaseError(.invalid, "SQL contains a NUL byte") }
        var statement: OpaquePointer?
        var failure: DatabaseError?
        sql.withCString { text in
            var tail: UnsafePointer<CChar>?
            let rc = sqlite3_prepare_v3(db, text, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, &tail)
            guard rc == SQLITE_OK else {
                failure = DatabaseError(sqliteCode: rc, connection: db)
                return
            }
            guard statement != nil else {
                failure = DatabaseError(.invalid, "the SQL holds no statement")
                return
            }
            if let tail, tail.pointee != 0 {
                var extra: OpaquePointer?
                let rc = sqlite3_prepare_v2(db, tail, -1, &extra, nil)
                if rc != SQLITE_OK || extra != nil {
                    sqlite3_finalize(extra)
                    failure = DatabaseError(.invalid, "one statement per call: the SQL holds more than one")
                }
            }
        }
        if let failure {
            sqlite3_finalize(statement)
            throw failure
        }
        return statement!
    }

    // MARK: Host statements

    /// Runs one of the host's own statements with the authorizer relaxed.
    @discardableResult
    func hostExecute(_ sql: String, _ parameters: [DatabaseValue] = []) throws(DatabaseError) -> ResultSet {
        guard let db = handle else { throw DatabaseError(.internal, "the database is closed") }
        let previous = mode.pointee
        mode.pointee = hostMode
        defer { mode.pointee = previous }
        let statement: OpaquePointer
        if let cached = hostStatements[sql] {
            statement = cached
        } else {
            statement = try prepareSingle(sql, db)
            hostStatements[sql] = statement
        }
        return try run(statement, parameters, isReadOnly: sqlite3_stmt_readonly(statement) != 0, db)
    }

    // MARK: Running

    private func run(_ statement: OpaquePointer, _ parameters: [DatabaseValue], isReadOnly: Bool,
                     _ db: OpaquePointer) throws(DatabaseError) -> ResultSet {
        // Reset on every exit: ends the statement's read snapshot at once (so readers see
        // the next commit and checkpoints can proceed) and drops the bound values.
        defer {
            sqlite3_reset(statement)
            sqlite3_clear_bindings(statement)
        }
        let expected = Int(sqlite3_bind_parameter_count(statement))
        guard parameters.count == expected else {
            throw DatabaseError(.invalid, "the statement takes \(expected) parameters, \(parameters.count) given")
        }
        for (offset, parameter) in parameters.enumerated() {
            let rc = bind(parameter, at: Int32(offset + 1), statement)
            guard rc == SQLITE_OK else {
                throw DatabaseError(sqliteCode: rc, connection: db, context: "parameter \(offset + 1)")
            }
        }
        var builder = ResultSetBuilder(statement: statement)
        while true {
            let rc = sqlite3_step(statement)
            if rc == SQLITE_ROW {
                builder.appendRow(statement)
            } else if rc == SQLITE_DONE {
                break
            } else {
                builder.discard()
                throw DatabaseError(sqliteCode: rc, connection: db)
            }
        }
        return builder.finish(changes: isReadOnly ? 0 : sqlite3_changes64(db),
                              lastInsertRowID: sqlite3_last_insert_rowid(db))
    }

    private func bind(_ value: DatabaseValue, at index: Int32, _ statement: OpaquePointer) -> Int32 {
        switch value {
        case .null:
            return sqlite3_bind_null(statement, index)
        case .integer(let integer):
            return sqlite3_bind_int64(statement, index, integer)
        case .real(let real):
            return sqlite3_bind_double(statement, index, real)
        case .text(var text):
            return text.withUTF8 { utf8 in
                guard let base = utf8.baseAddress, utf8.count > 0 else {
                    return sqlite3_bind_text(statement, index, "", 0, transient) // '' is not NULL
                }
                return base.withMemoryRebound(to: CChar.self, capacity: utf8.count) {
                    sqlite3_bind_text64(statement, index, $0, UInt64(utf8.count), transient, UInt8(SQLITE_UTF8))
                }
            }
        case .blob(let bytes):
            guard !bytes.isEmpty else {
                return sqlite3_bind_zeroblob(statement, index, 0) // a NULL pointer would bind NULL
            }
            return bytes.withUnsafeBytes { sqlite3_bind_blob64(statement, index, $0.baseAddress, UInt64($0.count), transient) }
        }
    }
}
