import PluginABI

/// The `db` sub-table over the host's `Database`: migrations, statements, transactions and
/// host-owned result sets.
extension HostTable {
    static func makeDatabase() -> pattern_db_api {
        var api = pattern_db_api()
        api.struct_size = ABIStruct.size(of: pattern_db_api.self)
        api.add_migration = { plugin, version, sql in HostTable.addMigration(plugin, version, sql) }
        api.execute = { transaction, sql, parameters, count, rows in
            HostTable.execute(transaction, sql, parameters, count, rows)
        }
        api.transaction = { body, userdata in HostTable.transaction(body, userdata) }
        api.row_count = { rows in ResultSet.from(rows).rowCount }
        api.column_count = { rows in ResultSet.from(rows).columnCount }
        api.column_name = { rows, column in
            let result = ResultSet.from(rows)
            guard column < result.columnCount else { return .empty }
            let bytes = result.columnNameBytes(column)
            return pattern_str(ptr: bytes.baseAddress?.assumingMemoryBound(to: CChar.self), len: bytes.count)
        }
        api.value = { rows, row, column, out in
            let result = ResultSet.from(rows)
            guard row < result.rowCount, column < result.columnCount else { return PATTERN_NOT_FOUND }
            let cell = result.cell(row: row, column: column)
            out?.pointee = pattern_value(
                type: cell.type, integer: cell.integer, real: cell.real,
                bytes: pattern_str(ptr: cell.bytes.baseAddress?.assumingMemoryBound(to: CChar.self), len: cell.bytes.count))
            return PATTERN_OK
        }
        api.changes = { rows in ResultSet.from(rows).changes }
        api.release = { rows in
            guard let rows else { return }
            Unmanaged<ResultSet>.fromOpaque(UnsafeRawPointer(rows)).release()
        }
        return api
    }

    private static func addMigration(_ handle: OpaquePointer?, _ version: Int32, _ sql: pattern_str) -> pattern_status {
        guard let plugin = LoadedPlugin.from(handle), let runtime else { return PATTERN_INVALID }
        let frozen = runtime.registrations.withLock { $0.frozen }
        guard !frozen else {
            plugin.recordFailure("migration \(version) registered after init")
            return PATTERN_STATE
        }
        let migrations = plugin.migrations.withLock { list in
            list.append((Int(version), sql.string))
            return list
        }
        // Applied at once, so the plugin's init can already use its tables.
        do {
            try runtime.database.migrate(plugin: plugin.name, migrations: migrations)
            return PATTERN_OK
        } catch {
            plugin.recordFailure(error.message)
            return PATTERN_INTERNAL
        }
    }

    private static func execute(
        _ transaction: OpaquePointer?, _ sql: pattern_str, _ parameters: UnsafePointer<pattern_value>?, _ count: Int,
        _ rows: UnsafeMutablePointer<OpaquePointer?>?
    ) -> pattern_status {
        guard let runtime else { return PATTERN_STATE }
        var values: [DatabaseValue] = []
        values.reserveCapacity(count)
        for index in 0..<count {
            guard let parameter = parameters?[index] else { return PATTERN_INVALID }
            switch parameter.type {
            case PATTERN_VALUE_NULL: values.append(.null)
            case PATTERN_VALUE_INT: values.append(.integer(parameter.integer))
            case PATTERN_VALUE_REAL: values.append(.real(parameter.real))
            case PATTERN_VALUE_TEXT: values.append(.text(parameter.bytes.string))
            case PATTERN_VALUE_BLOB: values.append(.blob(Array(parameter.bytes.bytes)))
            default: return PATTERN_INVALID
            }
        }
        do {
            let statement = sql.string
            let result = try transaction.map { try DatabaseTransaction.from($0).execute(statement, values) }
                ?? runtime.database.execute(statement, values)
            if let rows {
                rows.pointee = OpaquePointer(Unmanaged.passRetained(result).toOpaque())
            }
            return PATTERN_OK
        } catch let error as DatabaseError {
            runtime.logger.log(.warn, "database statement failed", ["error": error.message])
            return status(for: error)
        } catch {
            return PATTERN_INTERNAL
        }
    }

    private struct RollBack: Error {
        let status: pattern_status
    }

    private static func transaction(_ body: pattern_txn_fn?, _ userdata: UnsafeMutableRawPointer?) -> pattern_status {
        guard let runtime, let body else { return PATTERN_INVALID }
        let userdata = PluginUserdata(raw: userdata)
        do {
            try runtime.database.transaction { transaction in
                let status = body(OpaquePointer(Unmanaged.passUnretained(transaction).toOpaque()), userdata.raw)
                if status != PATTERN_OK { throw RollBack(status: status) }
            }
            return PATTERN_OK
        } catch let rollback as RollBack {
            return rollback.status
        } catch let error as DatabaseError {
            runtime.logger.log(.warn, "database transaction failed", ["error": error.message])
            return status(for: error)
        } catch {
            return PATTERN_INTERNAL
        }
    }

    private static func status(for error: DatabaseError) -> pattern_status {
        switch error.kind {
        case .conflict: PATTERN_CONFLICT
        case .busy: PATTERN_BUSY
        case .invalid: PATTERN_INVALID
        case .internal: PATTERN_INTERNAL
        }
    }
}

extension ResultSet {
    static func from(_ handle: OpaquePointer?) -> ResultSet {
        Unmanaged<ResultSet>.fromOpaque(UnsafeRawPointer(handle!)).takeUnretainedValue()
    }
}

extension DatabaseTransaction {
    static func from(_ handle: OpaquePointer) -> DatabaseTransaction {
        Unmanaged<DatabaseTransaction>.fromOpaque(UnsafeRawPointer(handle)).takeUnretainedValue()
    }
}
