import Foundation
import Testing
@testable import PluginKit

@Suite struct ResourceIDTests {
    @Test func hasThePrefixAndSortsByTime() {
        let first = ResourceID.make("user", now: Date(timeIntervalSince1970: 1_800_000_000))
        let second = ResourceID.make("user", now: Date(timeIntervalSince1970: 1_800_000_001))
        #expect(ResourceID.isValid(first, prefix: "user") && first.count == 31)
        #expect(first < second)
        #expect(ResourceID.make("key") != ResourceID.make("key"))
        #expect(!ResourceID.isValid("user_01", prefix: "user"))
    }
}
