import PluginKit

/// The pattern's schema, checked by the parser itself (which also collects the agent ids
/// it names and fills in defaults), so a body is refused with the same field the parser names.
extension CoordinationPattern: SchemaValue {
    private static let milliseconds = Int.schema.range(1...maxDuration).describe("Milliseconds")
    private static let agentID = JSONSchema.string.describe("One of the caller's agents")
    private static let name = JSONSchema.string.length(1...128)

    private static func object(_ properties: [JSONSchema.Property]) -> JSONSchema {
        .object(properties, additionalProperties: true)
    }

    private static func single(_ key: String, _ properties: [JSONSchema.Property]) -> JSONSchema {
        .object([.property(key, object(properties))], additionalProperties: false)
    }

    static let schema = JSONSchema.oneOf([
        .tagged("type", "supervisor", [
            .property("leader_id", agentID),
            .property("delegation_rules", object([
                .property("max_delegations_per_agent", Int.schema.minimum(1).orNull(), required: false),
                .property("delegation_strategy", JSONSchema.string.oneOf(delegationStrategies)),
                .property("fallback_behavior", JSONSchema.string.oneOf(fallbackBehaviors)),
            ])),
        ]),
        .tagged("type", "round_robin", [
            .property("current_index", Int.schema.minimum(0), required: false),
            .property("skip_unavailable", .boolean, required: false),
        ]),
        .tagged("type", "voting", [
            .property("quorum", Int.schema.minimum(1).describe("From 1 to the member count")),
            .property("voting_rules", object([
                .property("voting_timeout", milliseconds),
                .property("tie_breaker", .oneOf([
                    JSONSchema.string.oneOf(tieBreakers), single("specific_agent", [.property("agent_id", agentID)]),
                ])),
                .property("weight_by_expertise", .boolean, required: false),
            ])),
        ]),
        .tagged("type", "pipeline", [
            .property("stages", JSONSchema.array(object([
                .property("name", name),
                .property("agent_ids", JSONSchema.array(agentID).maxItems(GroupLimits.maxAgents)),
                .property("timeout", milliseconds),
                .property("on_failure", .oneOf([
                    JSONSchema.string.oneOf(["skip", "abort"]),
                    single("retry", [.property("max_attempts", Int.schema.range(1...100))]),
                    single("fallback", [.property("agent_id", agentID)]),
                ]), required: false),
            ])).maxItems(maxStages)),
            .property("parallel_stages", .boolean, required: false),
        ]),
        .tagged("type", "dynamic", [
            .property("selector_name", name), .property("selector_config", .object, required: false),
        ]),
        .tagged("type", "sleeptime", [
            .property("check_interval", milliseconds),
            .property("triggers", JSONSchema.array(.object).maxItems(maxTriggers), required: false),
            .property("intervention_agent_id", agentID.orNull(), required: false),
        ]),
    ]).named("CoordinationPattern").describe(
        "Tagged by type. Every agent id must be one of the caller's agents. A pattern names at most "
            + "\(GroupLimits.maxAgents) agent ids in all (every stage's agent_ids and fallback together, counted as "
            + "sent, repeats included); beyond that, 400 naming the field that crossed the limit."
    ).checked { value, path throws(HTTPError) in _ = try CoordinationPattern(value, field: path) }

    init(checked json: JSONValue) {
        self = (try? CoordinationPattern(json)) ?? CoordinationPattern(unreadable: json)
    }

    var json: JSONValue { value }
}
