import PluginKit

/// API.md's list query (`page`, `limit` ≤ 100, `sort_by`, `sort_desc`, `is_active`) and its
/// response shape `{items, page, limit, total, total_pages}`.
struct Pagination {
    var page = 1
    var limit = 20
    /// A column name from the caller's allowed list (never the raw parameter).
    var sortColumn: String
    var descending = false
    var isActive: Bool?

    static let maxLimit = 100

    /// `sortColumns` maps the accepted `sort_by` values to SQL columns; the first is the default.
    init(_ request: Request, sortColumns: KeyValuePairs<String, String>) throws(HTTPError) {
        sortColumn = sortColumns.first!.value
        if let text = try request.query("page") {
            guard let value = Int(text), value >= 1, value <= 1_000_000 else { throw .validation("page", "must be an integer of at least 1") }
            page = value
        }
        if let text = try request.query("limit") {
            guard let value = Int(text), (1...Self.maxLimit).contains(value) else {
                throw .validation("limit", "must be an integer from 1 to \(Self.maxLimit)")
            }
            limit = value
        }
        if let text = try request.query("sort_by") {
            guard let column = sortColumns.first(where: { $0.key == text })?.value else {
                throw .validation("sort_by", "must be one of \(sortColumns.map(\.key).joined(separator: ", "))")
            }
            sortColumn = column
        }
        if let text = try request.query("sort_desc") { descending = try Self.flag("sort_desc", text) }
        if let text = try request.query("is_active") { isActive = try Self.flag("is_active", text) }
    }

    private static func flag(_ name: String, _ text: String) throws(HTTPError) -> Bool {
        switch text.lowercased() {
        case "true", "1": return true
        case "false", "0": return false
        default: throw .validation(name, "must be true or false")
        }
    }

    var offset: Int { (page - 1) * limit }

    /// `ORDER BY <column> ASC|DESC, id` (the id breaks ties so pages never overlap).
    var orderClause: String { "ORDER BY \(sortColumn) \(descending ? "DESC" : "ASC"), id \(descending ? "DESC" : "ASC")" }

    func page<Item: Encodable>(_ items: [Item], total: Int) -> Page<Item> {
        Page(items: items, page: page, limit: limit, total: total, total_pages: (total + limit - 1) / limit)
    }
}

struct Page<Item: Encodable>: Encodable {
    let items: [Item]
    let page: Int
    let limit: Int
    let total: Int
    let total_pages: Int
}
