/// The list parameters declared once: a list route's query type includes these fields
/// (`PageRequest.fields(\.page, sortFields: …)`) and gets their reading, checks and documentation.
extension PageRequest {
    public static func fields<Root>(
        _ page: WritableKeyPath<Root, PageRequest> & Sendable, sortFields: [String], activeFilter: Bool = true
    ) -> [JSONField<Root>] {
        var fields: [JSONField<Root>] = [
            JSONField("page", schema: Int.schema.range(1...1_000_000).defaultsTo(1).describe("1-based page number"),
                      get: { $0[keyPath: page].page }) {
                (root: inout Root, value: Int) in root[keyPath: page].page = value
            },
            JSONField("limit", schema: Int.schema.range(1...Int64(maximumLimit)).defaultsTo(.integer(Int64(defaultLimit)))
                .describe("Items per page"), get: { $0[keyPath: page].limit }) { (root: inout Root, value: Int) in root[keyPath: page].limit = value },
            JSONField("sort_by", schema: String.schema.oneOf(sortFields).describe("Sort field"),
                      get: { $0[keyPath: page].sortBy }) {
                (root: inout Root, value: String) in root[keyPath: page].sortBy = value
            },
            JSONField("sort_desc", schema: Bool.schema.defaultsTo(false).describe("Sort descending"),
                      get: { $0[keyPath: page].sortDescending }) {
                (root: inout Root, value: Bool) in root[keyPath: page].sortDescending = value
            },
        ]
        if activeFilter {
            fields.append(JSONField("is_active", schema: Bool.schema.describe("Only active (true) or inactive (false) items"),
                                     get: { $0[keyPath: page].isActive ?? false }) {
                (root: inout Root, value: Bool) in root[keyPath: page].isActive = value
            })
        }
        return fields
    }

    /// API.md's envelope around `item`s, as `envelope(_:total:)` writes it.
    public static func envelopeSchema(of item: JSONSchema) -> JSONSchema {
        let count = Int.schema.minimum(0)
        return .object([
            .property("items", .array(item)), .property("page", Int.schema.minimum(1)),
            .property("limit", Int.schema.minimum(1)), .property("total", count), .property("total_pages", count),
        ])
    }
}
