import PluginABI

/// A value bound to or read from SQL.
public enum SQLValue: Sendable, Equatable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])

    public var string: String? { if case .text(let text) = self { text } else { nil } }
    public var integer: Int64? { if case .integer(let value) = self { value } else { nil } }
}

/// Rows copied out of the host's result set (which is released at once).
public struct SQLRows: Sendable {
    public let columns: [String]
    public let rows: [[SQLValue]]
    public let changes: Int64

    public func value(_ row: Int, _ column: String) -> SQLValue? {
        columns.firstIndex(of: column).map { rows[row][$0] }
    }
}

/// Why a statement failed; the message is for logs, never for clients.
public struct DatabaseFailure: Error, Sendable, Equatable {
    public enum Kind: Sendable { case conflict, busy, invalid, `internal` }
    public let kind: Kind
    public let status: Int32

    init(status: Int32) {
        self.status = status
        switch status {
        case PATTERN_CONFLICT: kind = .conflict
        case PATTERN_BUSY: kind = .busy
        case PATTERN_INVALID: kind = .invalid
        default: kind = .internal
        }
    }
}

/// The host's database through the ABI: parameterised statements and write transactions.
public struct DatabaseClient: Sendable {
    let table: HostTableReference

    /// Runs one statement outside a transaction (reads use a pooled reader).
    public func execute(_ sql: String, _ parameters: [SQLValue] = []) throws(DatabaseFailure) -> SQLRows {
        try run(transaction: nil, sql, parameters)
    }

    /// Runs `body` in one write transaction; a thrown error rolls it back and is rethrown.
    public func transaction<T>(_ body: (Transaction) throws -> T) throws -> T {
        var outcome: Result<T, any Error>?
        withoutActuallyEscaping(body) { body in
            let context = TransactionContext(client: self) { transaction in
                do { outcome = .success(try body(transaction)) } catch { outcome = .failure(error) }
                if case .failure = outcome { return false }
                return true
            }
            let status = withExtendedLifetime(context) {
                table.raw.pointee.db.pointee.transaction(
                    { handle, userdata in
                        let context = Unmanaged<TransactionContext>.fromOpaque(userdata!).takeUnretainedValue()
                        return context.run(Transaction(client: context.client, handle: handle)) ? PATTERN_OK : PATTERN_STATE
                    }, Unmanaged.passUnretained(context).toOpaque())
            }
            if status != PATTERN_OK, outcome == nil || status != PATTERN_STATE {
                outcome = .failure(DatabaseFailure(status: status))
            }
        }
        return try outcome!.get()
    }

    public struct Transaction {
        let client: DatabaseClient
        let handle: OpaquePointer?

        public func execute(_ sql: String, _ parameters: [SQLValue] = []) throws(DatabaseFailure) -> SQLRows {
            try client.run(transaction: handle, sql, parameters)
        }
    }

    fileprivate func run(transaction: OpaquePointer?, _ sql: String, _ parameters: [SQLValue]) throws(DatabaseFailure)
        -> SQLRows
    {
        let db = table.raw.pointee.db.pointee
        var rows: OpaquePointer?
        let status = withBoundParameters(parameters) { values, count in
            withABIString(sql) { db.execute(transaction, $0, values, count, &rows) }
        }
        guard status == PATTERN_OK, let rows else { throw DatabaseFailure(status: status) }
        defer { db.release(rows) }
        let columnCount = db.column_count(rows)
        let columns = (0..<columnCount).map { db.column_name(rows, $0).string }
        let result = (0..<db.row_count(rows)).map { row in
            (0..<columnCount).map { column -> SQLValue in
                var value = pattern_value()
                _ = db.value(rows, row, column, &value)
                switch value.type {
                case PATTERN_VALUE_INT: return .integer(value.integer)
                case PATTERN_VALUE_REAL: return .real(value.real)
                case PATTERN_VALUE_TEXT: return .text(value.bytes.string)
                case PATTERN_VALUE_BLOB: return .blob(value.bytes.byteArray)
                default: return .null
                }
            }
        }
        return SQLRows(columns: columns, rows: result, changes: db.changes(rows))
    }
}

/// Carries a transaction body through the C callback.
private final class TransactionContext {
    let client: DatabaseClient
    let run: (DatabaseClient.Transaction) -> Bool

    init(client: DatabaseClient, run: @escaping (DatabaseClient.Transaction) -> Bool) {
        self.client = client
        self.run = run
    }
}

/// Lays parameters out as `pattern_value`s whose text and blob bytes stay valid during `body`.
private func withBoundParameters<R>(_ parameters: [SQLValue], _ body: (UnsafePointer<pattern_value>?, Int) -> R) -> R {
    let payloads = parameters.map { parameter -> [UInt8] in
        switch parameter {
        case .text(let text): Array(text.utf8)
        case .blob(let bytes): bytes
        default: []
        }
    }
    let arena = payloads.flatMap { $0 }
    return arena.withUnsafeBufferPointer { arenaBuffer in
        var offset = 0
        var values: [pattern_value] = []
        for (index, parameter) in parameters.enumerated() {
            let start = arenaBuffer.baseAddress.map { UnsafeRawPointer($0 + offset).assumingMemoryBound(to: CChar.self) }
            let bytes = pattern_str(ptr: payloads[index].isEmpty ? nil : start, len: payloads[index].count)
            offset += payloads[index].count
            switch parameter {
            case .null: values.append(pattern_value(type: PATTERN_VALUE_NULL, integer: 0, real: 0, bytes: bytes))
            case .integer(let value): values.append(pattern_value(type: PATTERN_VALUE_INT, integer: value, real: 0, bytes: bytes))
            case .real(let value): values.append(pattern_value(type: PATTERN_VALUE_REAL, integer: 0, real: value, bytes: bytes))
            case .text: values.append(pattern_value(type: PATTERN_VALUE_TEXT, integer: 0, real: 0, bytes: bytes))
            case .blob: values.append(pattern_value(type: PATTERN_VALUE_BLOB, integer: 0, real: 0, bytes: bytes))
            }
        }
        return values.withUnsafeBufferPointer { body($0.baseAddress, $0.count) }
    }
}
