import Foundation
import Synchronization
import Testing
@testable import Host

/// A fresh database file in its own temporary directory, removed afterwards.
private final class TempDatabase {
    let directory: String
    let path: String
    private(set) var database: Database

    init(readers: Int = 2) throws {
        directory = NSTemporaryDirectory() + "pattern-db-\(UUID().uuidString)"
        path = directory + "/data/pattern.db" // the parent directory does not exist yet
        database = try Database(path: path, readers: readers, busyTimeoutMilliseconds: 5000)
    }

    func reopen() throws {
        database.close()
        database = try Database(path: path, readers: 2, busyTimeoutMilliseconds: 5000)
    }

    deinit {
        database.close()
        try? FileManager.default.removeItem(atPath: directory)
    }
}

private func expectKind(_ kind: DatabaseError.Kind, sourceLocation: SourceLocation = #_sourceLocation,
                        _ body: () throws -> Void) {
    do {
        try body()
        Issue.record("expected a \(kind) error, got success", sourceLocation: sourceLocation)
    } catch let error as DatabaseError {
        #expect(error.kind == kind, "\(error)", sourceLocation: sourceLocation)
    } catch {
        Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
    }
}

private func count(_ db: Database, _ table: String) throws -> Int64 {
    let rows = try db.execute("SELECT COUNT(*) FROM \(table)", [])
    guard case .integer(let n) = rows.value(row: 0, column: 0) else { return -1 }
    return n
}

/// Runs `body(i)` on `count` real threads at once and waits for all of them.
private func onThreads(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
    let group = DispatchGroup()
    for index in 0..<count {
        group.enter()
        Thread.detachNewThread {
            body(index)
            group.leave()
        }
    }
    group.wait()
}

@Suite("Database")
struct DatabaseTests {
    // MARK: Migrations

    @Test func migrationsApplyOnceInOrder() throws {
        let temp = try TempDatabase()
        let db = temp.database
        let migrations: [(version: Int, sql: String)] = [
            (1, "CREATE TABLE notes_items (id INTEGER PRIMARY KEY, body TEXT NOT NULL)"),
            (2, """
                ALTER TABLE notes_items ADD COLUMN author TEXT;
                -- several statements in one migration
                INSERT INTO notes_items (body, author) VALUES ('seed', 'system');
                """),
        ]
        try db.migrate(plugin: "notes", migrations: migrations)
        #expect(try db.appliedMigrations(plugin: "notes") == [1, 2])
        #expect(try count(db, "notes_items") == 1)

        // Again: a no-op (re-running either would fail or duplicate the seed row).
        try db.migrate(plugin: "notes", migrations: migrations)
        #expect(try count(db, "notes_items") == 1)

        // A later release adds version 3: only it runs. Other plugins are independent.
        try db.migrate(plugin: "notes", migrations: migrations + [(3, "INSERT INTO notes_items (body) VALUES ('v3')")])
        #expect(try count(db, "notes_items") == 2)
        #expect(try db.appliedMigrations(plugin: "notes") == [1, 2, 3])
        try db.migrate(plugin: "other", migrations: [(1, "CREATE TABLE other_things (id INTEGER)")])
        #expect(try db.appliedMigrations(plugin: "other") == [1])

        // Survives a restart.
        try temp.reopen()
        try temp.database.migrate(plugin: "notes", migrations: migrations + [(3, "INSERT INTO notes_items (body) VALUES ('v3')")])
        #expect(try count(temp.database, "notes_items") == 2)

        // Applying them one at a time, as the host does while init registers them, is no
        // downgrade; a database newer than all the plugin registered is.
        try temp.database.migrate(plugin: "notes", migrations: Array(migrations.prefix(1)))
        try temp.database.checkNotNewer(plugin: "notes", registered: 3)
        expectKind(.invalid) { try temp.database.checkNotNewer(plugin: "notes", registered: 2) }
    }

    @Test func migrationVersionsMustBeContiguousFromOne() throws {
        let temp = try TempDatabase()
        let db = temp.database
        let create = "CREATE TABLE v_t (id INTEGER)"
        for bad: [(version: Int, sql: String)] in [
            [(2, create)],                   // does not start at 1
            [(0, create)],
            [(1, create), (3, create)],      // gap
            [(2, create), (1, create)],      // out of order
            [(1, create), (1, create)],      // duplicate
        ] {
            do {
                try db.migrate(plugin: "vers", migrations: bad)
                Issue.record("accepted versions \(bad.map(\.version))")
            } catch {
                #expect(error.kind == .invalid)
                #expect(error.message.contains("vers"))
            }
        }
        #expect(try db.appliedMigrations(plugin: "vers").isEmpty)
        expectKind(.invalid) { _ = try db.execute("SELECT * FROM v_t", []) } // nothing ran
    }

    @Test func failingMigrationLeavesNoTraceAndNamesPluginAndVersion() throws {
        let temp = try TempDatabase()
        let db = temp.database
        do {
            try db.migrate(plugin: "broken", migrations: [
                (1, "CREATE TABLE broken_a (id INTEGER)"),
                (2, "CREATE TABLE broken_b (id INTEGER); INSERT INTO broken_a VALUES (1); INSERT INTO no_such_table VALUES (1)"),
            ])
            Issue.record("the failing migration was accepted")
        } catch {
            #expect(error.message.contains("broken"))
            #expect(error.message.contains("migration 2"))
            #expect(error.message.contains("no such table: no_such_table"))
        }
        #expect(try db.appliedMigrations(plugin: "broken") == [1])
        #expect(try count(db, "broken_a") == 0)                       // the INSERT rolled back
        expectKind(.invalid) { _ = try db.execute("SELECT * FROM broken_b", []) } // so did the CREATE

        // Migrations cannot break out of their transaction or touch the host's table.
        for sql in ["CREATE TABLE broken_c (id INTEGER); COMMIT",
                    "DELETE FROM _pattern_migrations"] {
            do {
                try db.migrate(plugin: "broken", migrations: [(1, "CREATE TABLE broken_a (id INTEGER)"), (2, sql)])
                Issue.record("accepted \(sql)")
            } catch {
                #expect(error.kind == .invalid)
                #expect(error.message.contains("migration 2 of plugin 'broken'"))
            }
        }
        #expect(try db.appliedMigrations(plugin: "broken") == [1])
    }

    // MARK: Values

    @Test func everyValueTypeRoundTrips() throws {
        let temp = try TempDatabase()
        let db = temp.database
        _ = try db.execute("CREATE TABLE vals (id INTEGER PRIMARY KEY, v)", [])
        let values: [DatabaseValue] = [
            .null, .integer(0), .integer(Int64.max), .integer(Int64.min), .real(3.25), .real(-1e300),
            .text(""), .text("héllo wörld ✓"), .text("nul\u{0}inside"),
            .blob([]), .blob([0, 1, 0, 255, 0]), .blob(Array(repeating: 7, count: 100_000)),
        ]
        for (index, value) in values.enumerated() {
            let inserted = try db.execute("INSERT INTO vals (id, v) VALUES (?, ?)", [.integer(Int64(index)), value])
            #expect(inserted.changes == 1)
            #expect(inserted.lastInsertRowID == Int64(index))
            #expect(inserted.rowCount == 0)
        }
        let rows = try db.execute("SELECT id, v, typeof(v) AS kind FROM vals ORDER BY id", [])
        #expect(rows.rowCount == values.count)
        #expect(rows.columnCount == 3)
        #expect(rows.columnNames == ["id", "v", "kind"])
        #expect(rows.changes == 0)
        let expectedKinds = ["null", "integer", "integer", "integer", "real", "real",
                             "text", "text", "text", "blob", "blob", "blob"]
        for (index, value) in values.enumerated() {
            #expect(rows.value(row: index, column: 1) == value)
            #expect(rows.value(row: index, column: "kind") == .text(expectedKinds[index]))
        }
        // The zero-copy views: empty text and blobs are not NULL and have a real pointer.
        let emptyText = rows.cell(row: 6, column: 1)
        #expect(emptyText.type == 3 && emptyText.bytes.count == 0 && emptyText.bytes.baseAddress != nil)
        let emptyBlob = rows.cell(row: 9, column: 1)
        #expect(emptyBlob.type == 4 && emptyBlob.bytes.count == 0 && emptyBlob.bytes.baseAddress != nil)
        let null = rows.cell(row: 0, column: 1)
        #expect(null.type == 0)
        let blob = rows.cell(row: 10, column: 1)
        #expect(Array(blob.bytes) == [0, 1, 0, 255, 0])
        let integer = rows.cell(row: 3, column: 1)
        #expect(integer.type == 1 && integer.integer == Int64.min)
        #expect(rows.cell(row: 4, column: 1).real == 3.25)
        #expect(Array(rows.columnNameBytes(2)) == Array("kind".utf8))
        // Text views are NUL-terminated just past their length (handy for C plugins).
        let text = rows.cell(row: 7, column: 1)
        #expect(text.bytes.baseAddress!.load(fromByteOffset: text.bytes.count, as: UInt8.self) == 0)
        #expect(try db.execute("SELECT 1 FROM vals WHERE v IS NULL", []).rowCount == 1)

        // Update and delete report their changes.
        let updated = try db.execute("UPDATE vals SET v = ? WHERE id >= ?", [.text("x"), .integer(10)])
        #expect(updated.changes == 2)
        #expect(try db.execute("SELECT v FROM vals WHERE id = ?", [.integer(11)]).value(row: 0, column: 0) == .text("x"))
        let deleted = try db.execute("DELETE FROM vals WHERE id < ?", [.integer(5)])
        #expect(deleted.changes == 5)
        #expect(try count(db, "vals") == Int64(values.count - 5))
        // RETURNING rows come back from the writer.
        let returned = try db.execute("INSERT INTO vals (id, v) VALUES (?, ?) RETURNING id, v", [.integer(99), .real(0.5)])
        #expect(returned.rowCount == 1 && returned.value(row: 0, column: 1) == .real(0.5))
    }

    // MARK: Errors

    @Test func errorsMapToKinds() throws {
        let temp = try TempDatabase()
        let db = temp.database
        _ = try db.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE)", [])
        _ = try db.execute("INSERT INTO users (email) VALUES (?)", [.text("a@example.com")])
        expectKind(.conflict) { _ = try db.execute("INSERT INTO users (email) VALUES (?)", [.text("a@example.com")]) }
        expectKind(.conflict) { _ = try db.execute("INSERT INTO users (email) VALUES (?)", [.null]) }
        #expect(try count(db, "users") == 1)

        expectKind(.invalid) { _ = try db.execute("SELEC nonsense", []) }
        expectKind(.invalid) { _ = try db.execute("SELECT * FROM missing_table", []) }
        expectKind(.invalid) { _ = try db.execute("SELECT ?", []) }                          // too few parameters
        expectKind(.invalid) { _ = try db.execute("SELECT 1", [.integer(1)]) }               // too many
        expectKind(.invalid) { _ = try db.execute("SELECT 1; DELETE FROM users", []) }       // one statement per call
        expectKind(.invalid) { _ = try db.execute("", []) }
        // Transactions, attached files, connection settings and the host's table are off limits.
        expectKind(.invalid) { _ = try db.execute("BEGIN", []) }
        expectKind(.invalid) { _ = try db.execute("COMMIT", []) }
        expectKind(.invalid) { _ = try db.execute("SAVEPOINT s", []) }
        expectKind(.invalid) { _ = try db.execute("ATTACH DATABASE '/tmp/x.db' AS x", []) }
        expectKind(.invalid) { _ = try db.execute("PRAGMA query_only = OFF", []) }
        expectKind(.invalid) { _ = try db.execute("PRAGMA foreign_keys = OFF", []) }
        expectKind(.invalid) { _ = try db.execute("DELETE FROM _pattern_migrations", []) }
        expectKind(.invalid) { _ = try db.execute("DROP TABLE _pattern_migrations", []) }
        #expect(try db.execute("PRAGMA table_info(users)", []).rowCount == 2)    // introspection is fine
        #expect(try db.execute("SELECT COUNT(*) FROM _pattern_migrations", []).rowCount == 1)
        // The pool still works after all that (no reader left inside a transaction).
        for _ in 0..<4 { #expect(try count(db, "users") == 1) }
    }

    @Test func foreignKeysAreEnforced() throws {
        let temp = try TempDatabase()
        let db = temp.database
        _ = try db.execute("CREATE TABLE fk_parent (id INTEGER PRIMARY KEY)", [])
        _ = try db.execute("CREATE TABLE fk_child (id INTEGER PRIMARY KEY, parent INTEGER REFERENCES fk_parent(id))", [])
        expectKind(.conflict) { _ = try db.execute("INSERT INTO fk_child (parent) VALUES (?)", [.integer(42)]) }
    }

    // MARK: Transactions

    @Test func transactionCommitsOrRollsBack() throws {
        let temp = try TempDatabase()
        let db = temp.database
        _ = try db.execute("CREATE TABLE tx (id INTEGER PRIMARY KEY, name TEXT UNIQUE)", [])

        let value = try db.transaction { txn in
            _ = try txn.execute("INSERT INTO tx (name) VALUES (?)", [.text("a")])
            _ = try txn.execute("INSERT INTO tx (name) VALUES (?)", [.text("b")])
            // Reads inside see the transaction's own writes.
            return try txn.execute("SELECT COUNT(*) FROM tx", []).value(row: 0, column: 0)
        }
        #expect(value == .integer(2))
        #expect(try count(db, "tx") == 2)

        struct Abort: Error {}
        #expect(throws: Abort.self) {
            try db.transaction { txn in
                _ = try txn.execute("INSERT INTO tx (name) VALUES (?)", [.text("c")])
                throw Abort()
            }
        }
        #expect(try count(db, "tx") == 2)

        // A constraint failure inside propagates and undoes the earlier statements too.
        do {
            try db.transaction { txn in
                _ = try txn.execute("INSERT INTO tx (name) VALUES (?)", [.text("d")])
                _ = try txn.execute("INSERT INTO tx (name) VALUES (?)", [.text("a")])
            }
            Issue.record("the duplicate was accepted")
        } catch let error as DatabaseError {
            #expect(error.kind == .conflict)
        }
        #expect(try count(db, "tx") == 2)
        #expect(try db.execute("SELECT 1 FROM tx WHERE name = 'd'", []).rowCount == 0)
    }

    @Test func transactionMisuseIsRefusedNotDeadlocked() throws {
        let temp = try TempDatabase()
        let db = temp.database
        _ = try db.execute("CREATE TABLE tm (id INTEGER PRIMARY KEY)", [])
        var escaped: DatabaseTransaction?
        try db.transaction { txn in
            expectKind(.invalid) { try db.transaction { _ in } }                           // nested
            expectKind(.invalid) { _ = try db.execute("INSERT INTO tm DEFAULT VALUES", []) } // writer is ours
            expectKind(.invalid) { try db.migrate(plugin: "x", migrations: []) }
            expectKind(.invalid) { _ = try txn.execute("COMMIT", []) }
            _ = try txn.execute("INSERT INTO tm DEFAULT VALUES", [])
            escaped = txn
        }
        let leaked = try #require(escaped)
        expectKind(.invalid) { _ = try leaked.execute("INSERT INTO tm DEFAULT VALUES", []) } // after the body
        #expect(try count(db, "tm") == 1)
        // The database is still usable.
        _ = try db.execute("INSERT INTO tm DEFAULT VALUES", [])
        #expect(try count(db, "tm") == 2)
    }

    // MARK: Concurrency and visibility

    @Test func concurrentWritersAndReaders() throws {
        let temp = try TempDatabase(readers: 2)
        let db = temp.database
        _ = try db.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, writer INTEGER, seq INTEGER, payload BLOB)", [])
        let failures = Mutex<[String]>([])
        let writersDone = Atomic<Int>(0)
        let reads = Atomic<Int>(0)
        onThreads(8 + 4) { index in
            if index < 8 {
                for seq in 0..<200 {
                    do {
                        _ = try db.execute("INSERT INTO events (writer, seq, payload) VALUES (?, ?, ?)",
                                           [.integer(Int64(index)), .integer(Int64(seq)), .blob([UInt8(index), 0, UInt8(seq & 0xff)])])
                    } catch {
                        failures.withLock { $0.append("writer \(index): \(error)") }
                    }
                }
                writersDone.add(1, ordering: .relaxed)
            } else {
                // 4 readers over a 2-connection pool: they also wait for each other.
                var last: Int64 = 0
                while writersDone.load(ordering: .relaxed) < 8 {
                    do {
                        let rows = try db.execute("SELECT COUNT(*) FROM events WHERE seq >= ?", [.integer(0)])
                        guard case .integer(let n) = rows.value(row: 0, column: 0), n >= last else {
                            failures.withLock { $0.append("reader \(index): count went backwards") }
                            return
                        }
                        last = n
                        reads.add(1, ordering: .relaxed)
                    } catch {
                        failures.withLock { $0.append("reader \(index): \(error)") }
                        return
                    }
                }
            }
        }
        #expect(failures.withLock { $0 }.isEmpty, "\(failures.withLock { $0 })")
        #expect(try count(db, "events") == 1600)
        let perWriter = try db.execute("SELECT writer, COUNT(DISTINCT seq) FROM events GROUP BY writer", [])
        #expect(perWriter.rowCount == 8)
        for row in 0..<perWriter.rowCount { #expect(perWriter.value(row: row, column: 1) == .integer(200)) }
        #expect(reads.load(ordering: .relaxed) > 0)
    }

    @Test func readerSeesCommitImmediately() throws {
        let temp = try TempDatabase(readers: 1) // always the same reader connection
        let db = temp.database
        _ = try db.execute("CREATE TABLE seen (id INTEGER PRIMARY KEY)", [])
        for id in 1...50 {
            // The reader ran this exact statement before the write: it must not keep a snapshot.
            #expect(try db.execute("SELECT COUNT(*) FROM seen", []).value(row: 0, column: 0) == .integer(Int64(id - 1)))
            if id.isMultiple(of: 2) {
                _ = try db.execute("INSERT INTO seen (id) VALUES (?)", [.integer(Int64(id))])
            } else {
                try db.transaction { txn in _ = try txn.execute("INSERT INTO seen (id) VALUES (?)", [.integer(Int64(id))]) }
            }
            #expect(try db.execute("SELECT id FROM seen WHERE id = ?", [.integer(Int64(id))]).rowCount == 1)
        }
    }

    @Test func writesSurviveReopen() throws {
        let temp = try TempDatabase()
        _ = try temp.database.execute("CREATE TABLE kept (id INTEGER PRIMARY KEY, body BLOB)", [])
        _ = try temp.database.execute("INSERT INTO kept (id, body) VALUES (?, ?)", [.integer(7), .blob([1, 2, 3])])
        try temp.reopen()
        let rows = try temp.database.execute("SELECT body FROM kept WHERE id = ?", [.integer(7)])
        #expect(rows.rowCount == 1 && rows.value(row: 0, column: 0) == .blob([1, 2, 3]))
        // The file holds secrets' hashes: owner-only.
        let attributes = try FileManager.default.attributesOfItem(atPath: temp.path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        // A closed database refuses work instead of crashing.
        temp.database.close()
        expectKind(.internal) { _ = try temp.database.execute("SELECT 1", []) }
        expectKind(.internal) { try temp.database.transaction { _ in } }
    }

    @Test func walModeAndResultsOutliveStatementReuse() throws {
        let temp = try TempDatabase()
        let db = temp.database
        #expect(try db.execute("PRAGMA journal_mode", []).value(row: 0, column: 0) == .text("wal"))
        #expect(try db.execute("PRAGMA foreign_keys", []).value(row: 0, column: 0) == .integer(1))
        // A result set owns its bytes: running the same statement again does not change it.
        let first = try db.execute("SELECT ? AS v", [.text("first")])
        let second = try db.execute("SELECT ? AS v", [.text("second")])
        #expect(first.value(row: 0, column: 0) == .text("first"))
        #expect(second.value(row: 0, column: 0) == .text("second"))
    }

    // MARK: Statement cache

    @Test func cachedStatementsDoNotLeakBindings() throws {
        let temp = try TempDatabase(readers: 1)
        let db = temp.database
        let sql = "SELECT ?1 AS a, typeof(?2) AS t"
        let cases: [(DatabaseValue, DatabaseValue)] = [
            (.integer(1), .blob([9])), (.text("x"), .null), (.null, .text("")), (.real(2.5), .integer(3)),
        ]
        for (a, b) in cases + cases {
            let rows = try db.execute(sql, [a, b])
            #expect(rows.value(row: 0, column: 0) == a)
            let expectedType: String = switch b {
            case .null: "null"
            case .integer: "integer"
            case .real: "real"
            case .text: "text"
            case .blob: "blob"
            }
            #expect(rows.value(row: 0, column: 1) == .text(expectedType))
        }
        // Many distinct statements (past the 64-entry cache) then the first again.
        _ = try db.execute("CREATE TABLE lru (id INTEGER PRIMARY KEY, v TEXT)", [])
        for i in 0..<150 {
            _ = try db.execute("INSERT INTO lru (id, v) VALUES (?, ?) -- \(i)", [.integer(Int64(i)), .text("v\(i)")])
            #expect(try db.execute("SELECT v FROM lru WHERE id = ? -- \(i)", [.integer(Int64(i))]).value(row: 0, column: 0) == .text("v\(i)"))
        }
        for i in stride(from: 0, to: 150, by: 7) {
            #expect(try db.execute("SELECT v FROM lru WHERE id = ? -- \(i)", [.integer(Int64(i))]).value(row: 0, column: 0) == .text("v\(i)"))
        }
        #expect(try count(db, "lru") == 150)
    }
}
