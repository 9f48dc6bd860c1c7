import PluginKit

/// The groups plugin's tables (portable SQL). Members name agents by id only: the agents
/// live in the agents plugin, reached through "agents.v1", so there is no foreign key to them;
/// `agent.deleted` events remove memberships instead.
enum GroupsSchema {
    static let groups = """
        CREATE TABLE groups_groups (
            id TEXT PRIMARY KEY,
            owner_id TEXT NOT NULL,
            name TEXT NOT NULL,
            description TEXT NOT NULL,
            coordination_pattern TEXT NOT NULL,
            is_active INTEGER NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            last_active_at TEXT,
            UNIQUE (owner_id, name)
        );
        CREATE INDEX groups_groups_owner_created ON groups_groups (owner_id, created_at, id);

        CREATE TABLE groups_members (
            group_id TEXT NOT NULL REFERENCES groups_groups (id) ON DELETE CASCADE,
            agent_id TEXT NOT NULL,
            role TEXT NOT NULL,
            capabilities TEXT NOT NULL,
            metadata TEXT NOT NULL,
            is_active INTEGER NOT NULL,
            joined_at TEXT NOT NULL,
            PRIMARY KEY (group_id, agent_id)
        );
        CREATE INDEX groups_members_agent ON groups_members (agent_id);
        """

    static func register(_ host: PluginHost) throws {
        try host.migration(1, groups)
    }
}
