import Coordination
import Testing
@testable import Chat

/// The sleeptime sweep's bound: one sweep reads at most `maxGroups` groups, and the groups
/// beyond are reviewed by the next sweeps rather than never.
@Suite struct SleeptimeSweepTests {
    static let pattern = SleeptimePattern(checkIntervalMilliseconds: 1000)

    /// Active sleeptime groups, in id order, that had a message at time 1.
    static func groups(_ count: Int) -> [SleeptimeGroup] {
        (0..<count).map { SleeptimeGroup(groupID: "group_\(100_000 + $0)", ownerID: "user_1", pattern: pattern,
                                         lastActiveAt: 1) }
    }

    /// groups.v1 `list_sleeptime_groups` over `groups`, recording where each page started.
    final class Listing {
        var groups: [SleeptimeGroup]
        var pagesAfter: [String?] = []
        init(_ groups: [SleeptimeGroup]) { self.groups = groups }

        func page(after: String?, limit: UInt32) -> SleeptimePage? {
            pagesAfter.append(after)
            let start = after.map { after in groups.firstIndex { $0.groupID > after } ?? groups.count } ?? 0
            let end = min(start + Int(limit), groups.count)
            return SleeptimePage(groups: Array(groups[start..<end]),
                                 nextAfter: end < groups.count ? groups[end - 1].groupID : nil)
        }
    }

    @Test func aSweepReadsAtMostMaxGroupsAndTheNextGoesOnAfterThem() {
        let all = Self.groups(SleeptimeSweep.maxGroups + 1)
        let listing = Listing(all)
        let sweep = SleeptimeSweep()

        let first = sweep.dueGroups(now: 10, listing: listing.page)
        #expect(first.count == SleeptimeSweep.maxGroups)
        #expect(first.last?.groupID == all[SleeptimeSweep.maxGroups - 1].groupID)
        #expect(listing.pagesAfter.count == SleeptimeSweep.maxPages)

        let second = sweep.dueGroups(now: 20, listing: listing.page)
        #expect(second == [all[SleeptimeSweep.maxGroups]])

        listing.pagesAfter = []
        #expect(sweep.dueGroups(now: 30, listing: listing.page).isEmpty)  // checked, no message since
        #expect(listing.pagesAfter.first == .some(nil))  // from the start again
    }

    @Test func aGroupGoneFromTheListingIsForgotten() {
        let listing = Listing(Self.groups(2))
        let sweep = SleeptimeSweep()
        #expect(sweep.dueGroups(now: 10, listing: listing.page).count == 2)
        for group in listing.groups { sweep.reviewed(group.groupID) }

        let kept = listing.groups
        listing.groups = [kept[1]]
        #expect(sweep.dueGroups(now: 20, listing: listing.page).isEmpty)
        listing.groups = kept
        // The first was forgotten, so it is due again at once; the second was still checked at 10.
        #expect(sweep.dueGroups(now: 30, listing: listing.page) == [kept[0]])
    }
}
