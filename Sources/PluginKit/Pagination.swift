import PatternText

/// API.md's list conventions: the query parameters `page` (1-based, default 1), `limit`
/// (default 20, 1…100), `sort_by` (one of the fields a list allows), `sort_desc` and
/// `is_active` (booleans), and the `{items, page, limit, total, total_pages}` envelope.
public struct PageRequest: Sendable, Equatable {
    public static let defaultLimit = 20
    public static let maximumLimit = 100

    public var page: Int
    public var limit: Int
    public var sortBy: String
    public var sortDescending: Bool
    /// The `is_active` filter, nil when not given.
    public var isActive: Bool?

    /// Rows to skip for this page.
    public var offset: Int { (page - 1) * limit }

    public init(page: Int = 1, limit: Int = PageRequest.defaultLimit, sortBy: String, sortDescending: Bool = false,
                isActive: Bool? = nil) {
        self.page = page
        self.limit = limit
        self.sortBy = sortBy
        self.sortDescending = sortDescending
        self.isActive = isActive
    }

    /// Reads the parameters through `query` (a parameter's decoded value, nil when absent).
    /// Throws a `validation_error` naming the parameter for a malformed or out-of-range value
    /// or a `sort_by` outside `sortFields`.
    public init(query: (String) throws(HTTPError) -> String?, sortFields: [String], defaultSort: String)
        throws(HTTPError)
    {
        self.init(sortBy: defaultSort)
        if let text = try query("page") {
            guard let value = Int(text), value >= 1, value <= 1_000_000 else {
                throw .validation("page", "must be an integer from 1 to 1000000")
            }
            page = value
        }
        if let text = try query("limit") {
            guard let value = Int(text), (1...Self.maximumLimit).contains(value) else {
                throw .validation("limit", "must be an integer from 1 to \(Self.maximumLimit)")
            }
            limit = value
        }
        if let text = try query("sort_by") {
            guard sortFields.contains(text) else {
                throw .validation("sort_by", "must be one of \(sortFields.joined(separator: ", "))")
            }
            sortBy = text
        }
        if let text = try query("sort_desc") {
            guard let value = Self.boolean(text) else { throw .validation("sort_desc", "must be true or false") }
            sortDescending = value
        }
        if let text = try query("is_active") {
            guard let value = Self.boolean(text) else { throw .validation("is_active", "must be true or false") }
            isActive = value
        }
    }

    /// The request's own query parameters.
    public init(_ request: Request, sortFields: [String], defaultSort: String) throws(HTTPError) {
        try self.init(query: request.query, sortFields: sortFields, defaultSort: defaultSort)
    }

    /// API.md's envelope around one page of `items` out of `total`.
    public func envelope(_ items: [JSONValue], total: Int) -> JSONValue {
        [
            "items": .array(items), "page": .integer(Int64(page)), "limit": .integer(Int64(limit)),
            "total": .integer(Int64(total)),
            "total_pages": .integer(Int64(limit > 0 ? (total + limit - 1) / limit : 0)),
        ]
    }

    /// `true`/`false` (any case) and `1`/`0`.
    public static func boolean(_ text: String) -> Bool? {
        switch text.lowercased() {
        case "true", "1": true
        case "false", "0": false
        default: nil
        }
    }
}

/// One page of a list, encoded as API.md's envelope.
public struct Page<Item: Encodable>: Encodable {
    public var items: [Item]
    public var page: Int
    public var limit: Int
    public var total: Int
    public var totalPages: Int

    public init(items: [Item], request: PageRequest, total: Int) {
        self.items = items
        page = request.page
        limit = request.limit
        self.total = total
        totalPages = request.limit > 0 ? (total + request.limit - 1) / request.limit : 0
    }

    enum CodingKeys: String, CodingKey {
        case items, page, limit, total
        case totalPages = "total_pages"
    }
}

extension DatabaseClient {
    /// One page of `SELECT columns FROM source WHERE filter ORDER BY order` and the number of
    /// matching rows, in one statement: the uncorrelated COUNT subquery runs once and rides along
    /// as the last column of each row. Only a page past the end, which has no row to carry it,
    /// costs a second statement.
    public func page(select columns: String, from source: String, where filter: String, _ parameters: [SQLValue],
                     orderBy order: String, _ page: PageRequest) throws(DatabaseFailure) -> (rows: [[SQLValue]], total: Int) {
        let result = try execute("""
            SELECT \(columns), (SELECT COUNT(*) FROM \(source) WHERE \(filter)) AS total
            FROM \(source) WHERE \(filter) ORDER BY \(order) LIMIT ? OFFSET ?
            """, parameters + parameters + [.integer(Int64(page.limit)), .integer(Int64(page.offset))])
        if let first = result.rows.first {
            return (result.rows, Int(first.last?.integer ?? 0))
        }
        let total = try execute("SELECT COUNT(*) FROM \(source) WHERE \(filter)", parameters).rows.first?.first?.integer
        return ([], Int(total ?? 0))
    }

    /// The list routes' common page: the rows of `source` owned by `ownerID` (`owner` names
    /// the column, with the table's alias if `source` has one), `?active=` matching the
    /// `active` column, in the order `page.sortBy` names: `created_at` (the default),
    /// `updated_at`, `name`, or an expression `extraSorts` makes for the direction ("ASC",
    /// "DESC"); ties broken by `id`.
    public func ownedPage(select columns: String, from source: String, alias: String = "", ownerID: String,
                          active: String, extraSorts: [String: (String) -> String] = [:], _ page: PageRequest)
        throws(DatabaseFailure) -> (rows: [[SQLValue]], total: Int)
    {
        let column = alias.isEmpty ? "" : alias + "."
        var filter = "\(column)owner_id = ?"
        var parameters: [SQLValue] = [.text(ownerID)]
        if let isActive = page.isActive {
            filter += " AND \(column)\(active) = ?"
            parameters.append(.integer(isActive ? 1 : 0))
        }
        let direction = page.sortDescending ? "DESC" : "ASC"
        let order = switch page.sortBy {
        case "updated_at", "name": "\(column)\(page.sortBy) \(direction)"
        default: extraSorts[page.sortBy]?(direction) ?? "\(column)created_at \(direction)"
        }
        return try self.page(select: columns, from: alias.isEmpty ? source : "\(source) \(alias)", where: filter,
                             parameters, orderBy: "\(order), \(column)id \(direction)", page)
    }
}
