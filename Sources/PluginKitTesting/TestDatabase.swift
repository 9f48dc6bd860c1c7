import CSQLite
import Foundation
import PluginABI

/// SQLITE_TRANSIENT: SQLite copies bound text and blobs before the bind call returns.
private let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

/// The test host's database: one in-memory SQLite connection with the host's semantics for
/// plugins (foreign keys on, migrations applied and recorded per plugin, a write transaction
/// around a callback, constraint violations as PATTERN_CONFLICT). Calls are serialised; a
/// transaction's callback runs its statements on the same thread, hence the recursive lock.
// @unchecked: the connection is used only under `lock`.
final class TestDatabase: @unchecked Sendable {
    private let connection: OpaquePointer
    private let lock = NSRecursiveLock()
    /// The last migration each plugin registered in this run, to refuse versions out of order.
    private var registered: [String: Int32] = [:]

    init() throws {
        var handle: OpaquePointer?
        guard sqlite3_open(":memory:", &handle) == SQLITE_OK, let handle else {
            throw TestHostError(description: "the test database did not open")
        }
        connection = handle
        guard sqlite3_exec(handle, "PRAGMA foreign_keys = ON", nil, nil, nil) == SQLITE_OK else {
            throw TestHostError(description: "the test database refused foreign keys")
        }
    }

    deinit { sqlite3_close_v2(connection) }

    /// Applies migration `version` of `plugin` unless recorded; versions must come 1, 2, 3 ...
    func migrate(plugin: String, version: Int32, sql: String) -> Result<Void, TestHostError> {
        lock.withLock {
            guard version == (registered[plugin] ?? 0) + 1 else {
                return .failure(TestHostError(description: "\(plugin): migration \(version) is out of order"))
            }
            registered[plugin] = version
            guard sqlite3_exec(connection, "BEGIN", nil, nil, nil) == SQLITE_OK else { return .failure(lastError()) }
            guard sqlite3_exec(connection, sql, nil, nil, nil) == SQLITE_OK else {
                let failure = lastError()
                sqlite3_exec(connection, "ROLLBACK", nil, nil, nil)
                return .failure(failure)
            }
            sqlite3_exec(connection, "COMMIT", nil, nil, nil)
            return .success(())
        }
    }

    /// Runs one statement with `parameters`; the rows (retained for the plugin) when asked for.
    func execute(_ sql: pattern_str, _ parameters: UnsafePointer<pattern_value>?, _ count: Int,
                 _ rows: UnsafeMutablePointer<OpaquePointer?>?) -> pattern_status {
        lock.withLock {
            var statement: OpaquePointer?
            let prepared = sql.bytes.withUnsafeBufferPointer { text in
                text.withMemoryRebound(to: CChar.self) {
                    sqlite3_prepare_v2(connection, $0.baseAddress, Int32($0.count), &statement, nil)
                }
            }
            guard prepared == SQLITE_OK, let statement else { return status(prepared) }
            defer { sqlite3_finalize(statement) }
            guard Int(sqlite3_bind_parameter_count(statement)) == count else { return PATTERN_INVALID }
            for index in 0..<count where bind(parameters![index], at: Int32(index + 1), statement) != SQLITE_OK {
                return PATTERN_INVALID
            }
            let result = TestRows(columns: (0..<sqlite3_column_count(statement)).map {
                PinnedBytes(String(cString: sqlite3_column_name(statement, $0)))
            })
            var step = sqlite3_step(statement)
            while step == SQLITE_ROW {
                result.append(row: statement)
                step = sqlite3_step(statement)
            }
            guard step == SQLITE_DONE else { return status(step) }
            result.changes = sqlite3_stmt_readonly(statement) != 0 ? 0 : Int64(sqlite3_changes64(connection))
            rows?.pointee = OpaquePointer(Unmanaged.passRetained(result).toOpaque())
            return PATTERN_OK
        }
    }

    /// Runs `body` in one write transaction: committed when it answers PATTERN_OK.
    func transaction(_ body: () -> pattern_status) -> pattern_status {
        lock.withLock {
            guard sqlite3_exec(connection, "BEGIN IMMEDIATE", nil, nil, nil) == SQLITE_OK else { return PATTERN_BUSY }
            let outcome = body()
            sqlite3_exec(connection, outcome == PATTERN_OK ? "COMMIT" : "ROLLBACK", nil, nil, nil)
            return outcome
        }
    }

    private func bind(_ value: pattern_value, at index: Int32, _ statement: OpaquePointer) -> Int32 {
        switch value.type {
        case PATTERN_VALUE_NULL: return sqlite3_bind_null(statement, index)
        case PATTERN_VALUE_INT: return sqlite3_bind_int64(statement, index, value.integer)
        case PATTERN_VALUE_REAL: return sqlite3_bind_double(statement, index, value.real)
        case PATTERN_VALUE_TEXT:
            // An empty text is '' (not NULL), so bind something that is not a NULL pointer.
            guard let text = value.bytes.ptr, value.bytes.len > 0 else { return sqlite3_bind_text(statement, index, "", 0, transient) }
            return sqlite3_bind_text64(statement, index, text, UInt64(value.bytes.len), transient, UInt8(SQLITE_UTF8))
        case PATTERN_VALUE_BLOB:
            guard let bytes = value.bytes.ptr, value.bytes.len > 0 else { return sqlite3_bind_zeroblob(statement, index, 0) }
            return sqlite3_bind_blob64(statement, index, bytes, UInt64(value.bytes.len), transient)
        default: return SQLITE_MISUSE
        }
    }

    private func status(_ code: Int32) -> pattern_status {
        switch code & 0xff {
        case SQLITE_CONSTRAINT: PATTERN_CONFLICT
        case SQLITE_BUSY, SQLITE_LOCKED: PATTERN_BUSY
        default: PATTERN_INTERNAL
        }
    }

    private func lastError() -> TestHostError {
        TestHostError(description: String(cString: sqlite3_errmsg(connection)))
    }
}

/// A result set lent to a plugin until it calls `release`.
// @unchecked: filled by the database before it is handed out, then only read.
final class TestRows: @unchecked Sendable {
    let columns: [PinnedBytes]
    private(set) var values: [pattern_value] = []
    private var pinned: [PinnedBytes] = []
    var changes: Int64 = 0

    init(columns: [PinnedBytes]) { self.columns = columns }

    var rowCount: Int { columns.isEmpty ? 0 : values.count / columns.count }

    func value(row: Int, column: Int) -> pattern_value? {
        guard row < rowCount, column < columns.count else { return nil }
        return values[row * columns.count + column]
    }

    fileprivate func append(row statement: OpaquePointer) {
        for column in 0..<Int32(columns.count) {
            var value = pattern_value()
            switch sqlite3_column_type(statement, column) {
            case SQLITE_INTEGER:
                value.type = PATTERN_VALUE_INT
                value.integer = sqlite3_column_int64(statement, column)
            case SQLITE_FLOAT:
                value.type = PATTERN_VALUE_REAL
                value.real = sqlite3_column_double(statement, column)
            case SQLITE_TEXT, SQLITE_BLOB:
                let isText = sqlite3_column_type(statement, column) == SQLITE_TEXT
                let start = sqlite3_column_blob(statement, column)
                let count = Int(sqlite3_column_bytes(statement, column))
                let bytes = PinnedBytes(start.map { Array(UnsafeRawBufferPointer(start: $0, count: count)) } ?? [])
                pinned.append(bytes)
                value.type = isText ? PATTERN_VALUE_TEXT : PATTERN_VALUE_BLOB
                value.bytes = bytes.str
            default:
                value.type = PATTERN_VALUE_NULL
            }
            values.append(value)
        }
    }

    static func from(_ handle: OpaquePointer?) -> TestRows {
        Unmanaged<TestRows>.fromOpaque(UnsafeRawPointer(handle!)).takeUnretainedValue()
    }
}

/// Why the test host could not start or run a plugin.
public struct TestHostError: Error, CustomStringConvertible, Sendable {
    public let description: String
}
