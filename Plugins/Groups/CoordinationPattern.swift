import PluginKit

/// A group's `coordination_pattern` (tagged by `type`, API.md): supervisor, round_robin,
/// voting, pipeline, dynamic, sleeptime. Parsing checks the shape without reading anything:
/// counts and durations (integer milliseconds) must be positive, and the agent ids it names
/// (at most `GroupLimits.maxAgents`, counted as sent) are collected in `agentReferences` for
/// the caller to check against the caller's agents before it opens a write transaction. The
/// quorum is checked against the member count by `checkQuorum`. `value` has every field, with
/// defaults filled in for the optional ones.
struct CoordinationPattern: Sendable {
    static let types = ["supervisor", "round_robin", "voting", "pipeline", "dynamic", "sleeptime"]
    static let delegationStrategies = ["round_robin", "least_busy", "capability", "random"]
    static let fallbackBehaviors = ["handle_self", "queue", "fail"]
    static let tieBreakers = ["random", "first_vote", "no_decision", "supervisor_decides"]
    static let maxDuration: Int64 = 7 * 24 * 3600 * 1000
    static let maxStages = 64
    static let maxTriggers = 64

    /// The normalised pattern.
    let value: JSONValue
    /// Every agent id the pattern names, in order, repeats included.
    let agentReferences: [AgentReference]
    private let quorum: (count: Int64, field: String)?

    init(_ json: JSONValue, field: String = "coordination_pattern") throws(HTTPError) {
        var parser = Parser()
        value = try parser.pattern(json, field: field)
        agentReferences = parser.references
        quorum = parser.quorum
    }

    /// A value that never passed the parser (`init(checked:)` after a check that failed).
    init(unreadable json: JSONValue) {
        value = json
        agentReferences = []
        quorum = nil
    }

    /// A voting quorum lies between 1 and the member count.
    func checkQuorum(memberCount: Int) throws(HTTPError) {
        guard let quorum else { return }
        guard quorum.count >= 1, quorum.count <= memberCount else {
            throw .validation(quorum.field, "must be from 1 to the member count (\(memberCount))")
        }
    }
}

/// One pass over a pattern, collecting what it names.
private struct Parser {
    var references: [AgentReference] = []
    var quorum: (count: Int64, field: String)?

    typealias Pattern = CoordinationPattern

    mutating func pattern(_ value: JSONValue, field: String) throws(HTTPError) -> JSONValue {
        let fields = try JSONFields(value, path: field)
        let type = try fields.requiredString("type")
        switch type {
        case "supervisor": return try supervisor(fields)
        case "round_robin":
            try Self.refuseNull(fields, "current_index", "skip_unavailable")
            let index = try fields.integer("current_index") ?? 0
            guard index >= 0 else { throw .validation(fields.field("current_index"), "must be 0 or more") }
            return ["type": "round_robin", "current_index": .integer(index),
                    "skip_unavailable": .bool(try fields.bool("skip_unavailable") ?? true)]
        case "voting": return try voting(fields)
        case "pipeline": return try pipeline(fields)
        case "dynamic":
            let selector = try fields.requiredString("selector_name")
            guard !selector.isEmpty, selector.count <= 128 else {
                throw .validation(fields.field("selector_name"), "must be 1 to 128 characters")
            }
            try Self.refuseNull(fields, "selector_config")
            let config = fields.value("selector_config") ?? [:]
            guard case .object = config else { throw .validation(fields.field("selector_config"), "must be an object") }
            return ["type": "dynamic", "selector_name": .string(selector), "selector_config": config]
        case "sleeptime":
            let interval = try Self.duration(fields, "check_interval")
            try Self.refuseNull(fields, "triggers")
            let triggers = try fields.array("triggers") ?? []
            guard triggers.count <= Pattern.maxTriggers else {
                throw .validation(fields.field("triggers"), "must have at most \(Pattern.maxTriggers) entries")
            }
            for (index, trigger) in triggers.enumerated() {
                guard case .object = trigger else { throw .validation("\(fields.field("triggers"))[\(index)]", "must be an object") }
            }
            var intervention: JSONValue = .null
            if let agent = try fields.string("intervention_agent_id") {
                try refer(agent, fields.field("intervention_agent_id"))
                intervention = .string(agent)
            }
            return ["type": "sleeptime", "check_interval": .integer(interval), "triggers": .array(triggers),
                    "intervention_agent_id": intervention]
        default:
            throw .validation(fields.field("type"), "must be one of \(Pattern.types.joined(separator: ", "))")
        }
    }

    private mutating func supervisor(_ fields: JSONFields) throws(HTTPError) -> JSONValue {
        let leader = try fields.requiredString("leader_id")
        try refer(leader, fields.field("leader_id"))
        let rules = try fields.requiredObject("delegation_rules")
        var maxDelegations: JSONValue = .null
        if let count = try rules.integer("max_delegations_per_agent") {
            guard count >= 1 else { throw .validation(rules.field("max_delegations_per_agent"), "must be 1 or more") }
            maxDelegations = .integer(count)
        }
        return ["type": "supervisor", "leader_id": .string(leader), "delegation_rules": [
            "max_delegations_per_agent": maxDelegations,
            "delegation_strategy": .string(try Self.oneOf(rules, "delegation_strategy", Pattern.delegationStrategies)),
            "fallback_behavior": .string(try Self.oneOf(rules, "fallback_behavior", Pattern.fallbackBehaviors)),
        ]]
    }

    private mutating func voting(_ fields: JSONFields) throws(HTTPError) -> JSONValue {
        let count = try fields.requiredInteger("quorum")
        quorum = (count, fields.field("quorum"))
        let rules = try fields.requiredObject("voting_rules")
        try Self.refuseNull(rules, "weight_by_expertise")
        let tieBreaker: JSONValue
        switch rules.value("tie_breaker") {
        case .object(let members)?:
            let specific = try JSONFields(.object(members), path: rules.field("tie_breaker"))
            let agent = try specific.requiredObject("specific_agent").requiredString("agent_id")
            try refer(agent, specific.field("specific_agent.agent_id"))
            tieBreaker = ["specific_agent": ["agent_id": .string(agent)]]
        default:
            tieBreaker = .string(try Self.oneOf(rules, "tie_breaker", Pattern.tieBreakers))
        }
        return ["type": "voting", "quorum": .integer(count), "voting_rules": [
            "voting_timeout": .integer(try Self.duration(rules, "voting_timeout")), "tie_breaker": tieBreaker,
            "weight_by_expertise": .bool(try rules.bool("weight_by_expertise") ?? false),
        ]]
    }

    private mutating func pipeline(_ fields: JSONFields) throws(HTTPError) -> JSONValue {
        let stages = try fields.requiredArray("stages")
        try Self.refuseNull(fields, "parallel_stages")
        guard (1...Pattern.maxStages).contains(stages.count) else {
            throw .validation(fields.field("stages"), "must have 1 to \(Pattern.maxStages) stages")
        }
        var normalised: [JSONValue] = []
        for (index, stage) in stages.enumerated() {
            let stageFields = try JSONFields(stage, path: "\(fields.field("stages"))[\(index)]")
            let name = try stageFields.requiredString("name")
            guard !name.isEmpty, name.count <= 128 else {
                throw .validation(stageFields.field("name"), "must be 1 to 128 characters")
            }
            guard let agents = try stageFields.stringArray("agent_ids"), !agents.isEmpty else {
                throw .validation(stageFields.field("agent_ids"), "must name at least one agent")
            }
            try refer(list: agents, stageFields.field("agent_ids"))
            normalised.append([
                "name": .string(name), "agent_ids": .array(agents.map { .string($0) }),
                "timeout": .integer(try Self.duration(stageFields, "timeout")),
                "on_failure": try failureAction(stageFields),
            ])
        }
        return ["type": "pipeline", "stages": .array(normalised),
                "parallel_stages": .bool(try fields.bool("parallel_stages") ?? false)]
    }

    /// `"skip"`, `"abort"`, `{"retry": {"max_attempts": n}}` or `{"fallback": {"agent_id": "…"}}`.
    private mutating func failureAction(_ stage: JSONFields) throws(HTTPError) -> JSONValue {
        let field = stage.field("on_failure")
        try Self.refuseNull(stage, "on_failure")
        switch stage.value("on_failure") {
        case nil: return "skip"
        case .string(let action)? where action == "skip" || action == "abort": return .string(action)
        case .object(let members)? where members.count == 1 && members["retry"] != nil:
            let retry = try JSONFields(members["retry"]!, path: "\(field).retry")
            let attempts = try retry.requiredInteger("max_attempts")
            guard (1...100).contains(attempts) else { throw .validation(retry.field("max_attempts"), "must be 1 to 100") }
            return ["retry": ["max_attempts": .integer(attempts)]]
        case .object(let members)? where members.count == 1 && members["fallback"] != nil:
            let fallback = try JSONFields(members["fallback"]!, path: "\(field).fallback")
            let agent = try fallback.requiredString("agent_id")
            try refer(agent, fallback.field("agent_id"))
            return ["fallback": ["agent_id": .string(agent)]]
        default:
            throw .validation(field, #"must be "skip", "abort", {"retry": {"max_attempts": n}} or {"fallback": {"agent_id": "…"}}"#)
        }
    }

    /// Optional members the schema does not let be `null` (the readers take `null` for absent).
    private static func refuseNull(_ fields: JSONFields, _ keys: String...) throws(HTTPError) {
        for key in keys where fields.has(key) && !fields.hasValue(key) {
            throw .validation(fields.field(key), "must not be null")
        }
    }

    private static func duration(_ fields: JSONFields, _ key: String) throws(HTTPError) -> Int64 {
        let milliseconds = try fields.requiredInteger(key)
        guard milliseconds > 0, milliseconds <= Pattern.maxDuration else {
            throw .validation(fields.field(key), "must be a positive number of milliseconds (at most \(Pattern.maxDuration))")
        }
        return milliseconds
    }

    private static func oneOf(_ fields: JSONFields, _ key: String, _ allowed: [String]) throws(HTTPError) -> String {
        let text = try fields.requiredString(key)
        guard allowed.contains(text) else {
            throw .validation(fields.field(key), "must be one of \(allowed.joined(separator: ", "))")
        }
        return text
    }

    /// Collects the agent id `field` names.
    private mutating func refer(_ agentID: String, _ field: String) throws(HTTPError) {
        try requireRoom(for: 1, field)
        references.append(AgentReference(id: agentID, field: field))
    }

    /// Collects the list of agent ids `field` names, each as `field[i]`.
    private mutating func refer(list agentIDs: [String], _ field: String) throws(HTTPError) {
        try requireRoom(for: agentIDs.count, field)
        references += agentIDs.enumerated().map { AgentReference(id: $1, field: "\(field)[\($0)]") }
    }

    /// Refuses the field that takes the pattern past `GroupLimits.maxAgents` ids.
    private func requireRoom(for count: Int, _ field: String) throws(HTTPError) {
        guard references.count + count <= GroupLimits.maxAgents else {
            throw .validation(field, "takes the pattern past \(GroupLimits.maxAgents) agent ids, the most it may name "
                              + "(all stages together, repeats included)")
        }
    }
}
