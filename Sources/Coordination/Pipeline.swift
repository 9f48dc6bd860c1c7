import PluginKit

/// `pipeline {stages: [{name, agent_ids, timeout, on_failure}], parallel_stages}`, as the
/// groups plugin accepts it (Plugins/Groups/CoordinationPattern.swift): 1 to 64 stages, each
/// with a name (1-128 characters), at least one agent id, a timeout in milliseconds (1 ms to
/// 7 days) and `on_failure` one of `"skip"` (the default), `"abort"`,
/// `{"retry": {"max_attempts": 1-100}}` or `{"fallback": {"agent_id": "agent_…"}}`.
public struct PipelinePattern: Sendable, Equatable {
    public var stages: [Stage]
    /// The agents of one stage run concurrently (otherwise one after another, in list order).
    public var parallelStages: Bool

    public struct Stage: Sendable, Equatable {
        public var name: String
        public var agentIDs: [String]
        /// The stage's deadline, from its start to its last agent's answer.
        public var timeoutMilliseconds: Int64
        public var onFailure: FailureAction

        public init(name: String, agentIDs: [String], timeoutMilliseconds: Int64, onFailure: FailureAction = .skip) {
            self.name = name
            self.agentIDs = agentIDs
            self.timeoutMilliseconds = timeoutMilliseconds
            self.onFailure = onFailure
        }
    }

    public enum FailureAction: Sendable, Equatable {
        /// Drop the failed agent's output and carry on.
        case skip
        /// Stop the pipeline; the group's answer is the failure.
        case abort
        /// Call the failed agent again, at most `maxAttempts` more times; then abort.
        case retry(maxAttempts: Int)
        /// Give the failed agent's input to this agent once; if it fails too, abort.
        case fallback(agentID: String)
    }

    public init(stages: [Stage], parallelStages: Bool = false) {
        self.stages = stages
        self.parallelStages = parallelStages
    }

    init(_ fields: JSONFields) throws(HTTPError) {
        parallelStages = try fields.bool("parallel_stages") ?? false
        stages = []
        for (index, value) in try fields.requiredArray("stages").enumerated() {
            let stage = try JSONFields(value, path: "\(fields.field("stages"))[\(index)]")
            stages.append(Stage(name: try stage.requiredString("name"), agentIDs: try stage.stringArray("agent_ids") ?? [],
                                timeoutMilliseconds: try stage.requiredInteger("timeout"),
                                onFailure: try FailureAction(stage.value("on_failure"), field: stage.field("on_failure"))))
        }
    }
}

extension PipelinePattern.FailureAction {
    init(_ value: JSONValue?, field: String) throws(HTTPError) {
        switch value {
        case nil, .string("skip")?: self = .skip
        case .string("abort")?: self = .abort
        case .object(let members)? where members.count == 1 && members["retry"] != nil:
            self = .retry(maxAttempts: Int(clamping: try JSONFields(members["retry"]!, path: "\(field).retry")
                .requiredInteger("max_attempts")))
        case .object(let members)? where members.count == 1 && members["fallback"] != nil:
            let fallback = try JSONFields(members["fallback"]!, path: "\(field).fallback")
            self = .fallback(agentID: try fallback.requiredString("agent_id"))
        default:
            throw .validation(field, #"must be "skip", "abort", {"retry": {"max_attempts": n}} "#
                              + #"or {"fallback": {"agent_id": "…"}}"#)
        }
    }
}

/// The pipeline pattern: stages in order; the first stage's agents get the user's message,
/// every later stage's agents get the previous stage's output (`input(forStage:…)`).
///
/// A stage's agent fails when its call errs, when the stage's timeout passes before it
/// answers, or when it cannot be called at all (not a member of the group any more, suspended
/// or its membership inactive: `PlannedStage.unavailable`). Its stage's `on_failure` then
/// decides (`afterFailure`). An agent an `agent_ids` list names that is not a member cannot
/// answer: pipelines route only to members.
public struct PipelinePlanner: Sendable {
    public let group: GroupSnapshot
    public let pattern: PipelinePattern

    public init(group: GroupSnapshot) throws(CoordinationError) {
        self.group = group
        pattern = try group.pattern("pipeline") { if case .pipeline(let pattern) = $0 { pattern } else { nil } }
    }

    /// One stage with its agents resolved against the group's members.
    public struct PlannedStage: Sendable, Equatable {
        public var index: Int
        public var name: String
        /// The stage's members that can be called, in the stage's order.
        public var agents: [Member]
        /// The agent ids of the stage that cannot be called (each a failure of the stage).
        public var unavailable: [String]
        public var timeoutMilliseconds: Int64
        public var onFailure: PipelinePattern.FailureAction
        /// Run `agents` concurrently (the pattern's `parallel_stages`).
        public var parallel: Bool
    }

    /// Every stage, in order.
    public var stages: [PlannedStage] {
        pattern.stages.enumerated().map { index, stage in
            var available: [Member] = []
            var unavailable: [String] = []
            for agentID in stage.agentIDs {
                if let member = group.member(agentID), member.isAvailable {
                    available.append(member)
                } else {
                    unavailable.append(agentID)
                }
            }
            return PlannedStage(index: index, name: stage.name, agents: available, unavailable: unavailable,
                                timeoutMilliseconds: stage.timeoutMilliseconds, onFailure: stage.onFailure,
                                parallel: pattern.parallelStages)
        }
    }

    /// What one agent produced in a stage.
    public struct Output: Sendable, Equatable {
        public var agentName: String
        public var text: String

        public init(agentName: String, text: String) {
            self.agentName = agentName
            self.text = text
        }
    }

    /// The message stage `index`'s agents get. Stage 0: the user's message. Later stages: the
    /// output of the nearest earlier stage that produced any (a skipped stage passes its
    /// input on) — the text itself when one agent answered, otherwise each answer under its
    /// agent's name (`[name]\ntext`), separated by blank lines, in the stage's order.
    public func input(forStage index: Int, userMessage: String, outputs: [[Output]]) -> String {
        guard index > 0 else { return userMessage }
        guard let previous = outputs.prefix(index).last(where: { !$0.isEmpty }) else { return userMessage }
        if previous.count == 1 { return previous[0].text }
        return previous.map { "[\($0.agentName)]\n\($0.text)" }.joined(separator: "\n\n")
    }

    /// What to do after an agent of stage `index` failed its `attempt`-th try (1 = the first
    /// call). A fallback agent's own failure is reported with `byFallback`.
    public func afterFailure(stage index: Int, attempt: Int, byFallback: Bool = false) -> FailureDecision {
        guard pattern.stages.indices.contains(index), !byFallback else { return .abort }
        switch pattern.stages[index].onFailure {
        case .skip: return .skip
        case .abort: return .abort
        case .retry(let maxAttempts): return attempt <= maxAttempts ? .retry : .abort
        case .fallback(let agentID):
            guard let member = group.member(agentID), member.isAvailable else { return .abort }
            return .fallback(member)
        }
    }

    public enum FailureDecision: Sendable, Equatable {
        /// Leave the agent's output out and go on.
        case skip
        /// End the pipeline with the failure.
        case abort
        /// Call the same agent again with the same input.
        case retry
        /// Call this member once with the same input instead.
        case fallback(Member)
    }
}
