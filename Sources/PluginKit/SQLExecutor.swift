/// Something that runs one SQL statement: the database itself (each statement on its own) or
/// a transaction in progress. Lets a store's queries run either way.
public protocol SQLExecutor {
    func execute(_ sql: String, _ parameters: [SQLValue]) throws(DatabaseFailure) -> SQLRows
}

extension DatabaseClient: SQLExecutor {}
extension DatabaseClient.Transaction: SQLExecutor {}
