import Foundation
import PluginKit

/// The SQL behind messages: `chat_messages`, in store order (`seq`), searched through
/// `ChatSchema.search`.
struct MessageStore: Sendable {
    let database: DatabaseClient

    /// Whose history a query reads: one agent's, or one group's.
    enum Scope: Sendable, Equatable {
        case agent(String)
        case group(String)

        var filter: (sql: String, value: SQLValue) {
            switch self {
            case .agent(let id): ("agent_id = ?", .text(id))
            case .group(let id): ("group_id = ?", .text(id))
            }
        }
    }

    private static let columns = "id, owner_id, agent_id, group_id, role, content, text, tool_calls, tool_results, metadata, created_at"

    func insert(_ message: ChatMessage) throws(DatabaseFailure) {
        _ = try database.execute("""
            INSERT INTO chat_messages (id, owner_id, agent_id, group_id, role, content, text, tool_calls, tool_results,
                metadata, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [
                .text(message.id), .text(message.ownerID), Self.optional(message.agentID), Self.optional(message.groupID),
                .text(message.role.rawValue), .text(message.content.tagged.jsonText), .text(message.content.text),
                Self.optional(message.toolCalls.map { JSONValue.array($0.map(\.providerJSON)).jsonText }),
                Self.optional(message.toolResults.map { JSONValue.array($0.map(\.storedJSON)).jsonText }),
                .text(message.metadata.jsonText), .text(message.createdAt),
            ])
    }

    /// A window of a history counted from its newest message: `offset` newest messages
    /// skipped, then up to `limit` older ones, answered oldest first; and the history's size.
    func history(_ scope: Scope, limit: Int, offset: Int) throws(DatabaseFailure) -> (messages: [ChatMessage], total: Int) {
        let filter = scope.filter
        let total = try database.execute("SELECT COUNT(*) FROM chat_messages WHERE \(filter.sql)", [filter.value])
            .rows.first?.first?.integer ?? 0
        let rows = try database.execute("""
            SELECT \(Self.columns) FROM chat_messages WHERE \(filter.sql) ORDER BY seq DESC LIMIT ? OFFSET ?
            """, [filter.value, .integer(Int64(limit)), .integer(Int64(offset))])
        return (rows.rows.reversed().map { Self.message($0) }, Int(total))
    }

    /// Up to `limit` messages of a history older than `before` (nil: the newest), newest
    /// first, each with its place in the store order: a model's context is read backwards a
    /// page at a time until the window is full. Their metadata is not read (a context needs none).
    func older(_ scope: Scope, before: Int64?, limit: Int) throws(DatabaseFailure) -> [(seq: Int64, message: ChatMessage)] {
        let filter = scope.filter
        let rows = try database.execute("""
            SELECT seq, \(Self.columns) FROM chat_messages WHERE \(filter.sql) AND seq < ? ORDER BY seq DESC LIMIT ?
            """, [filter.value, .integer(before ?? Int64.max), .integer(Int64(limit))]).rows
        return rows.map { row in (row[0].integer ?? 0, Self.message(Array(row.dropFirst()), forContext: true)) }
    }

    struct SearchFilter: Sendable {
        var ownerID: String
        var query: String?
        var agentID: String?
        var role: ChatMessage.Role?
        var from: String?
        var to: String?
    }

    /// One page of the owner's messages that match: best match first (newest first among
    /// equals, and without a query).
    func search(_ filter: SearchFilter, page: PageRequest) throws(DatabaseFailure) -> (messages: [ChatMessage], total: Int) {
        var conditions = ["m.owner_id = ?"]
        var parameters: [SQLValue] = [.text(filter.ownerID)]
        var source = "chat_messages m"
        var order = "m.seq DESC"
        if let query = filter.query, let match = SearchIndex.matchExpression(query) {
            source = ChatSchema.search.source(alias: "m")
            conditions.insert(ChatSchema.search.match, at: 0)
            parameters.insert(.text(match), at: 0)
            order = "\(ChatSchema.search.rank), m.seq DESC"
        }
        if let agentID = filter.agentID {
            conditions.append("m.agent_id = ?")
            parameters.append(.text(agentID))
        }
        if let role = filter.role {
            conditions.append("m.role = ?")
            parameters.append(.text(role.rawValue))
        }
        if let from = filter.from {
            conditions.append("m.created_at >= ?")
            parameters.append(.text(from))
        }
        if let to = filter.to {
            conditions.append("m.created_at <= ?")
            parameters.append(.text(to))
        }
        let columns = Self.columns.split(separator: ",").map { "m." + $0.trimmingCharacters(in: .whitespaces) }
            .joined(separator: ", ")
        let found = try database.page(select: columns, from: source, where: conditions.joined(separator: " AND "),
                                      parameters, orderBy: order, page)
        return (found.rows.map { Self.message($0) }, found.total)
    }

    /// The store order of the history's newest message (nil: none, or the database failed).
    func newest(_ scope: Scope) -> Int64? {
        let filter = scope.filter
        return try? database.execute("SELECT MAX(seq) FROM chat_messages WHERE \(filter.sql)", [filter.value])
            .rows.first?.first?.integer
    }

    /// `messages` in the order they were stored (members answering at once finish in any
    /// order); unchanged when the database cannot tell.
    func inStoreOrder(_ messages: [ChatMessage]) -> [ChatMessage] {
        guard messages.count > 1, messages.count <= 10_000 else { return messages }
        let marks = Array(repeating: "?", count: messages.count).joined(separator: ", ")
        guard let rows = try? database.execute("SELECT id FROM chat_messages WHERE id IN (\(marks)) ORDER BY seq",
                                               messages.map { .text($0.id) }).rows, rows.count == messages.count
        else { return messages }
        let byID = Dictionary(messages.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        return rows.compactMap { $0.first?.string.flatMap { byID[$0] } }
    }

    /// Deletes every message of the agent; how many went.
    func deleteAll(agentID: String) throws(DatabaseFailure) -> Int64 {
        try database.execute("DELETE FROM chat_messages WHERE agent_id = ?", [.text(agentID)]).changes
    }

    private static func optional(_ text: String?) -> SQLValue { text.map { .text($0) } ?? .null }

    /// A row as a message. `forContext` (a turn reads hundreds of them per model call): a plain
    /// text content is not parsed (its text column says it all) and the metadata is left empty,
    /// which halves what context building costs.
    private static func message(_ row: [SQLValue], forContext: Bool = false) -> ChatMessage {
        let text = row[6].string ?? ""
        let content = row[5].string ?? ""
        let tagged = forContext && content.utf8.starts(with: #"{"Text":"#.utf8)
            ? ["Text": .string(text)] : JSONValue(parsing: content) ?? ["Text": .string(text)]
        return ChatMessage(
            id: row[0].string ?? "", ownerID: row[1].string ?? "", agentID: row[2].string, groupID: row[3].string,
            role: ChatMessage.Role(rawValue: row[4].string ?? "") ?? .user,
            content: MessageContent(tagged: tagged, text: row[6].string ?? ""),
            toolCalls: row[7].string.flatMap { JSONValue(parsing: $0)?.arrayValue?.compactMap(ToolCall.init) },
            toolResults: row[8].string.flatMap { JSONValue(parsing: $0)?.arrayValue?.compactMap(ToolResult.init) },
            metadata: forContext ? [:] : JSONValue(parsing: row[9].string ?? "{}") ?? [:], createdAt: row[10].string ?? "")
    }
}
