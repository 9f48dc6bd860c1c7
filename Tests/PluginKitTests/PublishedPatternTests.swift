import Foundation
import Testing
@testable import PluginKit

/// A schema's published pattern and the matcher that checks it are one rule: whatever a client
/// (schemathesis) reads from the pattern is what the server takes.
@Suite struct PublishedPatternTests {
    static let urls = [
        "http://example.com", "HTTPS://api.example.com:8443/v1", "http://192.0.2.1:9/v1", "http://[2001:db8::1]:80/v1",
        "http://h/a%2Fb/~x!$&'()*+,;=:", "http://h/v1?x=1&y=%20", "http://h?x", "hTtPs://h/",
        // refused
        "", "http://", "http:///v1", "ftp://h/", "http:/h", "http://u:p@h/", "http://h/#f", "http://ü.example/v1",
        "http://h/\u{1F600}", "http://ex ample/", "http://h/%zz", "http://h/%2", "http://h:/", "http://h:123456/",
        "http://[]/", "http://[::1/", "http://h/a b", "http://h/\na", String(repeating: "0", count: 64),
        "http\u{1A}//h/", "https\u{13}://h/", "htt://h", "httpss://h",
    ]

    static func matches(_ pattern: String, _ text: String) throws -> Bool {
        let expression = try NSRegularExpression(pattern: pattern)
        return expression.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }

    @Test(arguments: [false, true], urls)
    func anHTTPURLMatchesItsPatternExactlyWhenTheCheckTakesIt(allowingQuery: Bool, url: String) throws {
        let schema = JSONSchema.httpURL(allowingQuery: allowingQuery)
        #expect(try Self.matches(try #require(schema.pattern), url) == JSONSchema.isHTTPURL(url, allowingQuery: allowingQuery))
    }

    @Test func theQueryIsTakenOnlyWhereAllowed() {
        #expect(JSONSchema.isHTTPURL("http://h/v1?x=1", allowingQuery: true))
        #expect(!JSONSchema.isHTTPURL("http://h/v1?x=1", allowingQuery: false))
        #expect(!JSONSchema.isHTTPURL("http://ü.example/v1", allowingQuery: true))
    }

    @Test(arguments: ["agent_01jd8x3k0000000000000000ab", "agent_01JD8X3K0000000000000000AB", "user_01jd8x3k0000000000000000ab",
                      "agent_01jd8x3k0000000000000000a", "agent_01jd8x3k0000000000000000il", ""])
    func aResourceIDMatchesItsPatternExactlyWhenItIsValid(id: String) throws {
        let schema = ResourceID.schema(prefix: "agent")
        #expect(try Self.matches(try #require(schema.pattern), id) == ResourceID.isValid(id, prefix: "agent"))
    }

    @Test func aMemberThatMustNotBeSentIsPublishedAsNothingAndRefused() throws {
        let schema = JSONSchema.object([.property("transport", .never, required: false)])
        var components: [String: JSONValue] = [:]
        let rendered = schema.rendered(into: &components)
        #expect(rendered["properties"]?["transport"] == ["not": [:]])
        #expect(throws: HTTPError.self) { try schema.check(["transport": [:]], at: "") }
        try schema.check([:], at: "")
    }

    @Test func anArrayCountsItsItemsBothWays() throws {
        let schema = JSONSchema.array(.string).itemCount(1...2)
        #expect(throws: HTTPError.self) { try schema.check([], at: "list") }
        #expect(throws: HTTPError.self) { try schema.check(["a", "b", "c"], at: "list") }
        try schema.check(["a"], at: "list")
        var components: [String: JSONValue] = [:]
        #expect(schema.rendered(into: &components)["minItems"] == 1)
    }
}
