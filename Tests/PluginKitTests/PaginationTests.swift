import Testing
@testable import PluginKit

@Suite struct PaginationTests {
    private func parse(_ query: [String: String], fields: [String] = ["created_at", "name"]) throws(HTTPError) -> PageRequest {
        try PageRequest(query: { query[$0] }, sortFields: fields, defaultSort: "created_at")
    }

    @Test func defaults() throws {
        let page = try parse([:])
        #expect(page == PageRequest(page: 1, limit: 20, sortBy: "created_at", sortDescending: false, isActive: nil))
        #expect(page.offset == 0)
    }

    @Test func readsEveryParameter() throws {
        let page = try parse(["page": "3", "limit": "10", "sort_by": "name", "sort_desc": "TRUE", "is_active": "0"])
        #expect(page == PageRequest(page: 3, limit: 10, sortBy: "name", sortDescending: true, isActive: false))
        #expect(page.offset == 20)
    }

    @Test(arguments: [
        ("page", "0"), ("page", "-1"), ("page", "x"), ("limit", "0"), ("limit", "101"), ("limit", "1.5"),
        ("sort_by", "color"), ("sort_desc", "maybe"), ("is_active", "yes please"),
    ])
    func refusesNamingTheParameter(name: String, value: String) {
        #expect { try parse([name: value]) } throws: { error in
            (error as? HTTPError)?.fields.first?.field == name && (error as? HTTPError)?.status == 400
        }
    }

    @Test func anUnreadableParameterIsRefusedAsItIs() {
        let unreadable = HTTPError.validation("limit", "must be percent-encoded UTF-8 text without control characters")
        #expect(throws: unreadable) {
            try PageRequest(query: { (name) throws(HTTPError) in if name == "limit" { throw unreadable } else { nil } },
                            sortFields: ["created_at"], defaultSort: "created_at")
        }
    }

    @Test func envelopeCountsPages() throws {
        let request = PageRequest(page: 2, limit: 10, sortBy: "created_at")
        #expect(Page(items: [1], request: request, total: 25).totalPages == 3)
        #expect(Page(items: [Int](), request: request, total: 0).totalPages == 0)
        #expect(Page(items: [1], request: request, total: 20).totalPages == 2)
        let json = String(decoding: try Response.json(Page(items: ["a"], request: request, total: 11)).body, as: UTF8.self)
        let value = try #require(JSONValue(parsing: json))
        #expect(value == ["items": ["a"], "page": 2, "limit": 10, "total": 11, "total_pages": 2])
    }
}
