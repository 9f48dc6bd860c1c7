// The host's SQL database: one SQLite file under the data directory in WAL mode, one
// writer connection plus a bounded pool of reader connections, each with its own
// prepared-statement cache; transactions on the writer; per-plugin ordered migrations.
import CSQLite
import Dispatch
import Foundation
import PatternSync
import Synchronization

final class Database: Sendable {
    /// The only connection that writes. Its lock is held for one statement, or for the
    /// whole body of a transaction or a migration.
    private let writer: Mutex<SQLiteConnection>
    /// Readers, handed out one caller at a time: `readerSlots` counts the free ones (a caller
    /// waits there when all are busy, never opens more), then the caller claims one by its
    /// `Busy` flag. Atomics, not a Mutex: every read passes here from every worker, and a
    /// contended Mutex on Linux is a trip through the kernel.
    private let readers: [SQLiteConnection]
    private let readerBusy: [Busy]
    private let readerSlots: DispatchSemaphore
    /// SQL text -> read-only?, learnt on first sight, so writes never wait for a reader
    /// and reads never take the writer's lock. Read-mostly: readers never wait for each other.
    private let statementKinds = ReadWriteLocked<[String: Bool]>([:])
    /// The thread running a transaction or migration body (0: none), to refuse re-entry
    /// that would otherwise deadlock on the writer's lock.
    private let writerOwner = Atomic<UInt>(0)
    private let closed = Atomic<Bool>(false)

    let path: String

    private static let statementCacheCapacity = 64
    private static let statementKindsCapacity = 4096

    /// Opens (creating it and its parent directory if needed) the database at `path` with
    /// `readers` pooled reader connections.
    init(path: String, readers readerCount: Int, busyTimeoutMilliseconds: Int) throws(DatabaseError) {
        guard !path.isEmpty, path != ":memory:", !path.hasPrefix("file:") else {
            throw DatabaseError(.invalid, "the database needs a file path, not \"\(path)\"")
        }
        guard readerCount >= 1 else { throw DatabaseError(.invalid, "the database needs at least one reader") }
        self.path = path
        try Self.createFile(path)
        let writerConnection = try SQLiteConnection(path: path, isReader: false,
                                                    busyTimeoutMilliseconds: busyTimeoutMilliseconds,
                                                    cacheCapacity: Self.statementCacheCapacity)
        try writerConnection.hostExecute("""
            CREATE TABLE IF NOT EXISTS _pattern_migrations (
                plugin TEXT NOT NULL,
                version INTEGER NOT NULL,
                applied_at TEXT NOT NULL,
                PRIMARY KEY (plugin, version))
            """)
        // Which key-encryption key this database's sealed values are under (SecretsCheck).
        try writerConnection.hostExecute("""
            CREATE TABLE IF NOT EXISTS _pattern_secrets (
                key_id TEXT NOT NULL,
                check_value TEXT NOT NULL)
            """)
        var readerConnections: [SQLiteConnection] = []
        for _ in 0..<readerCount {
            readerConnections.append(try SQLiteConnection(path: path, isReader: true,
                                                          busyTimeoutMilliseconds: busyTimeoutMilliseconds,
                                                          cacheCapacity: Self.statementCacheCapacity))
        }
        writer = Mutex(writerConnection)
        readers = readerConnections
        readerBusy = readerConnections.map { _ in Busy() }
        readerSlots = DispatchSemaphore(value: readerCount)
    }

    deinit { close() }

    /// Creates the parent directory (0700) and the file itself (0600: it holds password
    /// hashes and tokens' hashes) when missing, and makes an existing file private the same
    /// way. SQLite gives -wal and -shm the file's mode.
    private static func createFile(_ path: String) throws(DatabaseError) {
        let parent = (path as NSString).deletingLastPathComponent
        if !parent.isEmpty {
            do {
                try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true,
                                                        attributes: [.posixPermissions: 0o700])
            } catch {
                throw DatabaseError(.internal, "cannot create directory \(parent): \(error)")
            }
        }
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw DatabaseError(.internal, "cannot create \(path): \(String(cString: strerror(errno)))")
        }
        defer { Glibc.close(fd) }
        var status = stat()
        if fstat(fd, &status) == 0, status.st_mode & 0o077 != 0, fchmod(fd, 0o600) != 0 {
            throw DatabaseError(.internal, "\(path) is readable by others and cannot be made private: "
                                + String(cString: strerror(errno)))
        }
    }

    /// Closes every connection after in-flight statements finish; later calls throw
    /// `.internal`. Must not be called from inside a transaction body.
    func close() {
        guard !closed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        writer.withLock { $0.close() }
        for _ in readers { readerSlots.wait() } // every reader is back in the pool
        for reader in readers { reader.close() }
        for _ in readers { readerSlots.signal() } // waiters wake up and see the closed state
    }

    // MARK: Statements

    /// Runs one statement with `?` parameters. Read-only statements (sqlite3_stmt_readonly)
    /// run on a free reader, waiting for one when all are busy; the others on the writer.
    /// Inside a transaction body use the DatabaseTransaction instead: a write through this
    /// method from that thread is refused (it would deadlock), and a read would not see the
    /// transaction's uncommitted changes.
    func execute(_ sql: String, _ parameters: [DatabaseValue]) throws(DatabaseError) -> ResultSet {
        try checkOpen()
        switch statementKinds.read({ $0[sql] }) {
        case true?:
            let result = try withReader { (reader) throws(DatabaseError) -> ResultSet? in
                try reader.execute(sql, parameters, readOnlyOnly: true)
            }
            if let result { return result }
            return try executeOnWriter(sql, parameters)
        case false?:
            return try executeOnWriter(sql, parameters)
        case nil:
            // First sight: prepare on a reader to learn the kind (and run it there if it reads).
            let result = try withReader { (reader) throws(DatabaseError) -> ResultSet? in
                try reader.execute(sql, parameters, readOnlyOnly: true)
            }
            statementKinds.write { kinds in
                if kinds.count >= Self.statementKindsCapacity { kinds.removeAll(keepingCapacity: true) }
                kinds[sql] = result != nil
            }
            if let result { return result }
            return try executeOnWriter(sql, parameters)
        }
    }

    private func executeOnWriter(_ sql: String, _ parameters: [DatabaseValue]) throws(DatabaseError) -> ResultSet {
        try checkNotInsideWriterBody()
        return try writer.withLock { (connection) throws(DatabaseError) -> ResultSet in
            guard let result = try connection.execute(sql, parameters, readOnlyOnly: false) else {
                throw DatabaseError(.internal, "the writer refused a statement") // unreachable
            }
            return result
        }
    }

    private func withReader<R>(_ body: (SQLiteConnection) throws(DatabaseError) -> R) throws(DatabaseError) -> R {
        readerSlots.wait()
        // The semaphore let us in, so one flag is free: start at a per-thread place so
        // threads rarely try the same one.
        var index = Int((UInt(pthread_self()) >> 8) % UInt(readers.count))
        while !readerBusy[index].claim() { index = (index + 1) % readers.count }
        defer {
            readerBusy[index].release()
            readerSlots.signal()
        }
        return try body(readers[index])
    }

    /// A reader's in-use flag (a class: an Atomic cannot live in an array).
    private final class Busy: Sendable {
        private let flag = Atomic<Bool>(false)
        func claim() -> Bool { flag.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged }
        func release() { flag.store(false, ordering: .releasing) }
    }

    private func checkOpen() throws(DatabaseError) {
        if closed.load(ordering: .acquiring) { throw DatabaseError(.internal, "the database is closed") }
    }

    private func checkNotInsideWriterBody() throws(DatabaseError) {
        if writerOwner.load(ordering: .relaxed) == UInt(pthread_self()) {
            throw DatabaseError(.invalid, "inside a transaction, run statements through its DatabaseTransaction")
        }
    }

    // MARK: Transactions

    /// Runs `body` inside BEGIN IMMEDIATE … COMMIT on the writer. If `body` throws, or the
    /// commit fails, the transaction rolls back and the error is rethrown. Other writers
    /// wait meanwhile, so keep bodies short. Nested transactions are not supported: calling
    /// `transaction`, `migrate` or a writing `execute` on this Database from inside `body`
    /// throws `.invalid`.
    func transaction<T>(_ body: (DatabaseTransaction) throws -> T) throws -> T {
        try checkOpen()
        try checkNotInsideWriterBody()
        var outcome: Result<T, any Error>?
        try writer.withLock { (connection) throws(DatabaseError) -> Void in
            try connection.hostExecute("BEGIN IMMEDIATE")
            let thread = pthread_self()
            let transaction = DatabaseTransaction(connection: connection, thread: thread)
            writerOwner.store(UInt(thread), ordering: .relaxed)
            defer {
                transaction.isActive = false
                writerOwner.store(0, ordering: .relaxed)
            }
            do {
                let value = try body(transaction)
                try Self.commit(connection)
                outcome = .success(value)
            } catch {
                Self.rollback(connection)
                outcome = .failure(error)
            }
        }
        return try outcome!.get()
    }

    private static func commit(_ connection: SQLiteConnection) throws(DatabaseError) {
        // An error inside the body (I/O, full disk ...) may already have rolled back.
        guard connection.inTransaction else {
            throw DatabaseError(.internal, "the transaction was rolled back by an earlier error")
        }
        try connection.hostExecute("COMMIT")
    }

    private static func rollback(_ connection: SQLiteConnection) {
        if connection.inTransaction { _ = try? connection.hostExecute("ROLLBACK") }
    }

    /// Runs `body` inside BEGIN IMMEDIATE … COMMIT on the writer with the host's privileges
    /// (its statements may write the `_pattern_*` tables plugins cannot), rolling back if it throws.
    func hostTransaction<T>(_ body: (SQLiteConnection) throws(DatabaseError) -> T) throws(DatabaseError) -> T {
        try checkOpen()
        try checkNotInsideWriterBody()
        return try writer.withLock { (connection) throws(DatabaseError) -> T in
            try connection.hostExecute("BEGIN IMMEDIATE")
            do throws(DatabaseError) {
                let value = try body(connection)
                try Self.commit(connection)
                return value
            } catch {
                Self.rollback(connection)
                throw error
            }
        }
    }

    // MARK: Migrations

    /// Applies `plugin`'s migrations not yet recorded in `_pattern_migrations`, in order,
    /// each in its own transaction together with its record. Versions must be exactly
    /// 1, 2, 3 … in order. A database that already has a version beyond the last given is
    /// refused (a downgrade). A failing migration is rolled back and throws an error naming
    /// the plugin, the version and SQLite's message.
    func migrate(plugin: String, migrations: [(version: Int, sql: String)]) throws(DatabaseError) {
        for (index, migration) in migrations.enumerated() where migration.version != index + 1 {
            throw DatabaseError(.invalid, "plugin '\(plugin)': migrations must be numbered 1, 2, 3 … in order; "
                                + "found version \(migration.version) at position \(index + 1)")
        }
        try checkOpen()
        try checkNotInsideWriterBody()
        try writer.withLock { (connection) throws(DatabaseError) -> Void in
            for migration in migrations {
                try connection.hostExecute("BEGIN IMMEDIATE")
                do throws(DatabaseError) {
                    let recorded = try connection.hostExecute(
                        "SELECT 1 FROM _pattern_migrations WHERE plugin = ? AND version = ?",
                        [.text(plugin), .integer(Int64(migration.version))])
                    if recorded.rowCount == 0 {
                        try connection.executeScript(migration.sql)
                        try connection.hostExecute(
                            "INSERT INTO _pattern_migrations (plugin, version, applied_at) "
                            + "VALUES (?, ?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))",
                            [.text(plugin), .integer(Int64(migration.version))])
                    }
                    try Self.commit(connection)
                } catch {
                    Self.rollback(connection)
                    throw DatabaseError(error.kind, "migration \(migration.version) of plugin '\(plugin)' failed: "
                                        + error.message, code: error.code)
                }
            }
        }
    }

    /// Refuses a database that has more of `plugin`'s migrations than the plugin registered
    /// (a downgrade). Checked once the plugin's init has registered them all: they are applied
    /// one by one as they arrive, so a newer one is normal while init is still running.
    func checkNotNewer(plugin: String, registered: Int) throws(DatabaseError) {
        let newest = try execute("SELECT MAX(version) FROM _pattern_migrations WHERE plugin = ?", [.text(plugin)])
        if case .integer(let applied) = newest.value(row: 0, column: 0), applied > registered {
            throw DatabaseError(.invalid, "plugin '\(plugin)': the database has migration \(applied), "
                                + "newer than the plugin's last (\(registered))")
        }
    }

    /// The versions recorded for `plugin`, ascending (for tests and diagnostics).
    func appliedMigrations(plugin: String) throws(DatabaseError) -> [Int] {
        let rows = try execute("SELECT version FROM _pattern_migrations WHERE plugin = ? ORDER BY version",
                               [.text(plugin)])
        return (0..<rows.rowCount).compactMap {
            if case .integer(let version) = rows.value(row: $0, column: 0) { Int(version) } else { nil }
        }
    }
}

/// The statements of one transaction in progress, on the writer connection. Valid only
/// inside the transaction body, and only on the thread running it; afterwards (or from
/// another thread) `execute` throws `.invalid`.
final class DatabaseTransaction {
    private let connection: SQLiteConnection
    private let thread: pthread_t
    fileprivate var isActive = true

    fileprivate init(connection: SQLiteConnection, thread: pthread_t) {
        self.connection = connection
        self.thread = thread
    }

    /// Runs one statement (read or write) inside the transaction.
    func execute(_ sql: String, _ parameters: [DatabaseValue]) throws(DatabaseError) -> ResultSet {
        guard pthread_equal(thread, pthread_self()) != 0 else {
            throw DatabaseError(.invalid, "a transaction was used from another thread")
        }
        guard isActive else { throw DatabaseError(.invalid, "the transaction is over") }
        guard let result = try connection.execute(sql, parameters, readOnlyOnly: false) else {
            throw DatabaseError(.internal, "the writer refused a statement") // unreachable
        }
        return result
    }
}
