import PluginKit

/// Who may subscribe to `group:<id>` on the event socket: the group's owner, and administrators.
struct GroupsRealtime: Sendable {
    let host: PluginHost
    let store: GroupStore

    func register() throws {
        try host.topicAuthorizer(prefix: "group:") { userID, isAdmin, topic in
            let groupID = String(topic.dropFirst("group:".count))
            guard ResourceID.isValid(groupID, prefix: "group") else { return false }
            if isAdmin {
                return (try? store.database.execute("SELECT 1 FROM groups_groups WHERE id = ?", [.text(groupID)]))
                    .map { !$0.rows.isEmpty } ?? false
            }
            return (try? store.find(id: groupID, ownerID: userID, in: store.database)) != nil
        }
    }
}
