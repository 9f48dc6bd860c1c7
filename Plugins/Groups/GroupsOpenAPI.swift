import PluginKit

/// OpenAPI operations of the groups plugin's routes, with their request and response schemas.
enum GroupsOpenAPI {
    private typealias API = OpenAPIOperation

    private static let milliseconds = API.integer("Milliseconds", minimum: 1)
    private static let agentID = API.string("One of the caller's agents")

    private static func pattern(_ type: String, _ properties: [String: JSONValue], required: [String]) -> JSONValue {
        API.object(properties.merging(["type": ["const": .string(type)]]) { $1 }, required: ["type"] + required)
    }

    static let coordinationPattern: JSONValue = [
        "description": .string("Tagged by type. Every agent id must be one of the caller's agents. A pattern names at "
            + "most \(GroupLimits.maxAgents) agent ids in all (every stage's agent_ids and fallback together, "
            + "counted as sent, repeats included); beyond that, 400 naming the field that crossed the limit."),
        "oneOf": [
            pattern("supervisor", [
                "leader_id": agentID,
                "delegation_rules": API.object([
                    "max_delegations_per_agent": ["type": ["integer", "null"], "minimum": 1],
                    "delegation_strategy": API.string(enumeration: CoordinationPattern.delegationStrategies),
                    "fallback_behavior": API.string(enumeration: CoordinationPattern.fallbackBehaviors),
                ], required: ["delegation_strategy", "fallback_behavior"]),
            ], required: ["leader_id", "delegation_rules"]),
            pattern("round_robin", ["current_index": API.integer(minimum: 0), "skip_unavailable": API.boolean],
                    required: []),
            pattern("voting", [
                "quorum": API.integer("From 1 to the member count", minimum: 1),
                "voting_rules": API.object([
                    "voting_timeout": milliseconds,
                    "tie_breaker": ["oneOf": [
                        API.string(enumeration: CoordinationPattern.tieBreakers),
                        API.object(["specific_agent": API.object(["agent_id": agentID], required: ["agent_id"])],
                                   required: ["specific_agent"]),
                    ]],
                    "weight_by_expertise": API.boolean,
                ], required: ["voting_timeout", "tie_breaker"]),
            ], required: ["quorum", "voting_rules"]),
            pattern("pipeline", [
                "stages": API.array(API.object([
                    "name": API.string(), "agent_ids": API.array(agentID, maxItems: GroupLimits.maxAgents),
                    "timeout": milliseconds,
                    "on_failure": ["oneOf": [
                        API.string(enumeration: ["skip", "abort"]),
                        API.object(["retry": API.object(["max_attempts": API.integer(minimum: 1)], required: ["max_attempts"])],
                                   required: ["retry"]),
                        API.object(["fallback": API.object(["agent_id": agentID], required: ["agent_id"])],
                                   required: ["fallback"]),
                    ]],
                ], required: ["name", "agent_ids", "timeout"]), maxItems: CoordinationPattern.maxStages),
                "parallel_stages": API.boolean,
            ], required: ["stages"]),
            pattern("dynamic", ["selector_name": API.string(), "selector_config": API.anyObject], required: ["selector_name"]),
            pattern("sleeptime", [
                "check_interval": milliseconds,
                "triggers": API.array(API.anyObject, maxItems: CoordinationPattern.maxTriggers),
                "intervention_agent_id": ["type": ["string", "null"]],
            ], required: ["check_interval"]),
        ],
    ]

    static let role: JSONValue = ["oneOf": [
        API.string(enumeration: MemberInput.plainRoles),
        API.object(["specialist": API.object(["domain": API.string()], required: ["domain"])], required: ["specialist"]),
    ]]

    static let member = API.object([
        "agent_id": API.string(), "agent_name": API.string(), "role": role, "capabilities": API.array(API.string()),
        "joined_at": API.timestamp, "is_active": API.boolean, "metadata": API.anyObject,
    ], required: ["agent_id", "agent_name", "role", "capabilities", "joined_at", "is_active", "metadata"])

    static let newMember = API.object([
        "agent_id": agentID, "role": role, "capabilities": API.array(API.string(), maxItems: MemberInput.maxCapabilities),
        "metadata": API.anyObject,
    ], required: ["agent_id", "role"])

    private static let groupFields: [String: JSONValue] = [
        "id": API.string("group_…"), "name": API.string(), "description": API.string(),
        "coordination_pattern": coordinationPattern, "owner_id": API.string(), "member_count": API.integer(minimum: 0),
        "is_active": API.boolean, "created_at": API.timestamp, "updated_at": API.timestamp,
        "last_active_at": API.nullableTimestamp,
    ]
    private static let groupRequired = ["id", "name", "description", "coordination_pattern", "owner_id", "member_count",
                                        "is_active", "created_at", "updated_at", "last_active_at"]

    static let group = API.object(groupFields, required: groupRequired)
    static let groupWithMembers = API.object(groupFields.merging(["members": API.array(member)]) { $1 },
                                             required: groupRequired + ["members"])

    private static let name: JSONValue = ["type": "string", "minLength": 1, "maxLength": 128]
    private static let idErrors = [400, 401, 403, 404]

    static let create = API.make(
        summary: "Create a group",
        description: "Names are unique per owner (409 otherwise). A group has at most \(GroupLimits.maxAgents) members.",
        requestBody: API.object(["name": name, "description": API.string(), "coordination_pattern": coordinationPattern,
                                 "members": API.array(newMember, maxItems: GroupLimits.maxAgents)],
                                required: ["name", "description", "coordination_pattern"]),
        responses: [201: ("The new group with its members", groupWithMembers)], errors: [400, 401, 403, 409, 415])

    static let list = API.make(
        summary: "List the caller's groups", parameters: API.pageParameters(sortFields: GroupStore.sortFields),
        responses: [200: ("One page of groups", API.page(of: group))], errors: [400, 401, 403])

    static let get = API.make(summary: "Get a group with its members",
                              responses: [200: ("The group", groupWithMembers)], errors: idErrors)

    static let update = API.make(
        summary: "Update a group", description: "A new coordination pattern is validated against the current members.",
        requestBody: API.object(["name": name, "description": API.string(), "coordination_pattern": coordinationPattern,
                                 "is_active": API.boolean]),
        responses: [200: ("The updated group", group)], errors: idErrors + [409, 415])

    static let delete = API.make(summary: "Delete a group", responses: [204: ("Deleted", nil)], errors: idErrors)

    static let addMember = API.make(
        summary: "Add one of the caller's agents to a group",
        description: "A group has at most \(GroupLimits.maxAgents) members: adding to a full group answers 409.",
        requestBody: newMember,
        responses: [201: ("The new member", member)], errors: idErrors + [409, 415])

    static let removeMember = API.make(summary: "Remove an agent from a group", responses: [204: ("Removed", nil)],
                                       errors: idErrors)
}
