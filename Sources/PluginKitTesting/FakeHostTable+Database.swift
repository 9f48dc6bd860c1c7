import PluginABI

extension FakeHostTable {
    static func database() -> pattern_db_api {
        var api = sized(pattern_db_api(), through: \.release)
        api.add_migration = { plugin, version, sql in
            FakeHostTable.registering { host in
                guard let name = host.pluginName(plugin) else { return PATTERN_INVALID }
                switch host.database.migrate(plugin: name, version: version, sql: sql.text) {
                case .success: return PATTERN_OK
                case .failure(let error):
                    host.state.withLock { $0.logs.append(TestLogLine(plugin: name, level: PATTERN_LOG_ERROR,
                                                                     message: "migration \(version): \(error)")) }
                    return PATTERN_INTERNAL
                }
            }
        }
        api.execute = { _, sql, parameters, count, rows in
            FakeHostTable.withHost(PATTERN_STATE) { $0.database.execute(sql, parameters, count, rows) }
        }
        api.transaction = { body, userdata in
            guard let body else { return PATTERN_INVALID }
            return FakeHostTable.withHost(PATTERN_STATE) { host in
                host.database.transaction { body(OpaquePointer(bitPattern: 1), userdata) }
            }
        }
        api.row_count = { TestRows.from($0).rowCount }
        api.column_count = { TestRows.from($0).columns.count }
        api.column_name = { rows, column in
            let columns = TestRows.from(rows).columns
            return column < columns.count ? columns[column].str : FakeHostTable.empty
        }
        api.value = { rows, row, column, out in
            guard let value = TestRows.from(rows).value(row: row, column: column) else { return PATTERN_NOT_FOUND }
            out?.pointee = value
            return PATTERN_OK
        }
        api.changes = { TestRows.from($0).changes }
        api.release = { rows in
            guard let rows else { return }
            Unmanaged<TestRows>.fromOpaque(UnsafeRawPointer(rows)).release()
        }
        return api
    }
}
