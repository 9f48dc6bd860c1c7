import PluginKit

/// A group's `coordination_pattern` as the groups plugin stores it (API.md; every default
/// filled in, agent ids already checked against the owner's agents).
public enum CoordinationPattern: Sendable, Equatable {
    case roundRobin(RoundRobinPattern)
    case supervisor(SupervisorPattern)
    case voting(VotingPattern)
    case pipeline(PipelinePattern)
    case dynamic(DynamicPattern)
    case sleeptime(SleeptimePattern)

    public init(json: JSONValue) throws(CoordinationError) {
        self = try decoding { () throws(HTTPError) in try CoordinationPattern(JSONFields(json, path: "coordination_pattern")) }
    }

    /// The wire name of the pattern (`"round_robin"`, …).
    public var type: String {
        switch self {
        case .roundRobin: "round_robin"
        case .supervisor: "supervisor"
        case .voting: "voting"
        case .pipeline: "pipeline"
        case .dynamic: "dynamic"
        case .sleeptime: "sleeptime"
        }
    }

    init(_ fields: JSONFields) throws(HTTPError) {
        switch try fields.requiredString("type") {
        case "round_robin": self = .roundRobin(try RoundRobinPattern(fields))
        case "supervisor": self = .supervisor(try SupervisorPattern(fields))
        case "voting": self = .voting(try VotingPattern(fields))
        case "pipeline": self = .pipeline(try PipelinePattern(fields))
        case "dynamic": self = .dynamic(try DynamicPattern(fields))
        case "sleeptime": self = .sleeptime(try SleeptimePattern(fields))
        default:
            throw .validation(fields.field("type"),
                              "must be one of supervisor, round_robin, voting, pipeline, dynamic, sleeptime")
        }
    }
}

/// `round_robin {current_index, skip_unavailable}`; the turn itself is taken by groups.v1
/// `advance_round_robin` (see `RoundRobin`).
public struct RoundRobinPattern: Sendable, Equatable {
    public var currentIndex: Int
    public var skipUnavailable: Bool

    public init(currentIndex: Int = 0, skipUnavailable: Bool = true) {
        self.currentIndex = currentIndex
        self.skipUnavailable = skipUnavailable
    }

    init(_ fields: JSONFields) throws(HTTPError) {
        currentIndex = Int(clamping: try fields.integer("current_index") ?? 0)
        skipUnavailable = try fields.bool("skip_unavailable") ?? true
    }
}

extension GroupSnapshot {
    /// The pattern when it is `expected`, else `wrongPattern`.
    func pattern<P>(_ expected: String, _ extract: (CoordinationPattern) -> P?) throws(CoordinationError) -> P {
        guard let pattern = extract(self.pattern) else { throw .wrongPattern(expected: expected, actual: self.pattern.type) }
        return pattern
    }
}
