import Coordination
import Synchronization

/// The sleeptime timer's bookkeeping: which active sleeptime groups a sweep finds due
/// (`SleeptimePlanner.isCheckDue`), and when each was last checked.
///
/// A sweep reads at most `maxPages` pages of `pageSize` groups (`maxGroups`), so one tick's
/// work stays bounded; with more active groups, the next sweep goes on after the last group
/// read (and from the start again after the end), so every group is still reviewed, a few
/// sweeps apart. Last check times live in memory, one per active group; a group gone from the
/// part of the listing a sweep read (deleted, deactivated, another pattern) is forgotten, and
/// a restart reviews each active group once more.
final class SleeptimeSweep: Sendable {
    static let pageSize: UInt32 = 200
    static let maxPages = 50
    static let maxGroups = Int(pageSize) * maxPages

    /// One page of active sleeptime groups after a group id (nil: from the start), in id order;
    /// nil when the listing failed.
    typealias Listing = (_ after: String?, _ limit: UInt32) -> SleeptimePage?

    private struct State {
        var lastCheck: [String: Int64] = [:]
        var reviewing: Set<String> = []
        /// Where the next sweep starts: after this group id, or at the start.
        var resumeAfter: String?
    }

    private let state = Mutex(State())

    /// The groups due for a review at `now`; each counts as under review until `reviewed`.
    func dueGroups(now: Int64, listing: Listing) -> [SleeptimeGroup] {
        let start = state.withLock { $0.resumeAfter }
        var due: [SleeptimeGroup] = []
        var seen: Set<String> = []
        var after = start
        var reachedEnd = false
        for _ in 0..<Self.maxPages {
            guard let page = listing(after, Self.pageSize) else { return due }
            state.withLock { state in
                for group in page.groups {
                    seen.insert(group.groupID)
                    guard let activity = group.lastActiveAt, !state.reviewing.contains(group.groupID),
                          SleeptimePlanner.isCheckDue(group.pattern, lastCheckAt: state.lastCheck[group.groupID],
                                                      lastActivityAt: activity, now: now) else { continue }
                    state.lastCheck[group.groupID] = now
                    state.reviewing.insert(group.groupID)
                    due.append(group)
                }
            }
            guard let next = page.nextAfter else {
                reachedEnd = true
                break
            }
            after = next
        }
        let lastRead = after
        state.withLock { state in
            state.lastCheck = state.lastCheck.filter { id, _ in
                let afterStart = start.map { id > $0 } ?? true
                let beforeStop = reachedEnd || (lastRead.map { id <= $0 } ?? true)
                return seen.contains(id) || !(afterStart && beforeStop)
            }
            state.resumeAfter = reachedEnd ? nil : lastRead
        }
        return due
    }

    /// The review of `groupID` that `dueGroups` handed out is over.
    func reviewed(_ groupID: String) {
        _ = state.withLock { $0.reviewing.remove(groupID) }
    }
}
