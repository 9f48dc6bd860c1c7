import Coordination
import Foundation
import PluginKit

/// The sleeptime pattern's timer: every `[chat] sleeptime_sweep_milliseconds`, pages through
/// the active sleeptime groups (groups.v1 `list_sleeptime_groups`, at most
/// `SleeptimeSweep.maxGroups` a sweep) and starts a review of each whose check is due
/// (`SleeptimeSweep`: its `check_interval` passed since the last check and a message reached it
/// since; a group that never had a message is not reviewed). A review gives the intervention agent
/// `SleeptimePlanner.interventionPrompt` over the group's `recentMessages` newest messages, as
/// a turn with no other history, in the agent's lane; its reply is stored in the group
/// (`metadata.sleeptime` true) unless it declines ("NO_INTERVENTION"). A posted reply does not
/// count as new activity, so a quiet group is reviewed once.
final class SleeptimeReviewer: Sendable {
    static let recentMessages = 20

    private let groups: GroupDirectory
    private let turns: MemberTurns
    private let messages: MessageStore
    private let schedule = SleeptimeSweep()

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
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        for group in schedule.dueGroups(now: now, listing: { groups.sleeptimeGroups(after: $0, limit: $1) }) {
            Task { [self] in
                await review(group)
                schedule.reviewed(group.groupID)
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
