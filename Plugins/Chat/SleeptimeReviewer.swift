import Coordination
import Foundation
import PluginKit
import Synchronization

/// The sleeptime pattern's timer: every `[chat] sleeptime_sweep_milliseconds`, pages through
/// every active sleeptime group (groups.v1 `list_sleeptime_groups`, at most `maxPages` pages
/// of `pageSize`) and starts a review of each whose check is due (`SleeptimePlanner.isCheckDue`:
/// its `check_interval` passed since the last check and a message reached it since; a group
/// that never had a message is not reviewed). A review gives the intervention agent
/// `SleeptimePlanner.interventionPrompt` over the group's `recentMessages` newest messages, as
/// a turn with no other history, in the agent's lane; its reply is stored in the group
/// (`metadata.sleeptime` true) unless it declines ("NO_INTERVENTION"). A posted reply does not
/// count as new activity, so a quiet group is reviewed once.
///
/// Last check times live in memory, one per group seen in the last sweep (at most
/// `maxGroups`); a restart reviews each active group once more.
final class SleeptimeReviewer: Sendable {
    static let pageSize: UInt32 = 200
    static let maxPages = 50
    static let maxGroups = Int(pageSize) * maxPages
    static let recentMessages = 20

    private let groups: GroupDirectory
    private let turns: MemberTurns
    private let messages: MessageStore

    private struct State {
        var lastCheck: [String: Int64] = [:]
        var reviewing: Set<String> = []
    }

    private let state = Mutex(State())

    init(groups: GroupDirectory, turns: MemberTurns, messages: MessageStore) {
        self.groups = groups
        self.turns = turns
        self.messages = messages
    }

    /// Starts the sweeping timer (a repeating timer's calls never overlap).
    func start(_ host: PluginHost, everyMilliseconds interval: Int) {
        host.timer(afterMilliseconds: UInt64(interval), everyMilliseconds: UInt64(interval)) { [self] _ in sweep() }
    }

    func sweep() {
        var due: [SleeptimeGroup] = []
        var seen: Set<String> = []
        var after: String?
        for _ in 0..<Self.maxPages {
            guard let page = groups.sleeptimeGroups(after: after, limit: Self.pageSize) else { return }
            let now = Int64(Date().timeIntervalSince1970 * 1000)
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
            guard let next = page.nextAfter else { break }
            after = next
        }
        // Groups gone from the listing (deleted, deactivated, another pattern) are forgotten.
        state.withLock { state in state.lastCheck = state.lastCheck.filter { seen.contains($0.key) } }
        for group in due {
            Task { [self] in
                await review(group)
                state.withLock { _ = $0.reviewing.remove(group.groupID) }
            }
        }
    }

    private func review(_ entry: SleeptimeGroup) async {
        guard let group = try? groups.group(id: entry.groupID, ownerID: entry.ownerID), group.isActive,
              let agentID = SleeptimePlanner.interventionAgentID(in: group, pattern: entry.pattern),
              let recent = try? messages.history(.group(group.id), limit: Self.recentMessages, offset: 0).messages
        else { return }
        let transcript = recent.filter { $0.role == .user || $0.role == .assistant }.map { message in
            SleeptimePlanner.Message(author: message.agentID.map { id in group.member(id)?.agentName ?? id } ?? "user",
                                     text: message.content.text, createdAt: message.createdAt)
        }
        let prompt = SleeptimePlanner.interventionPrompt(groupName: group.name, pattern: entry.pattern, messages: transcript)
        var input = TurnRunner.Input.promptOnly(agentID: agentID, ownerID: group.ownerID, groupID: group.id, prompt: prompt)
        input.metadata = ["sleeptime": true]
        input.discardsReply = { SleeptimePlanner.declines($0) }
        let reviewer = group.member(agentID) ?? Member(agentID: agentID, agentName: "")
        _ = await turns.run(reviewer, input, stream: nil)
    }
}
