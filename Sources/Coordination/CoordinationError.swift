/// Why a planner cannot route a group message. Each case says enough for the chat plugin to
/// answer the user (a 409 `conflict` naming what to change, or a 502/503 for a group JSON the
/// groups plugin should never send).
public enum CoordinationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The groups.v1 JSON is not what this module understands: `field` is its path.
    case malformed(field: String, problem: String)
    /// The planner was given a group whose pattern is another one.
    case wrongPattern(expected: String, actual: String)
    /// Nobody can answer: no members, or every member is suspended, inactive or an observer.
    case noAvailableMember
    /// The supervisor pattern's leader is not a member of the group.
    case leaderNotInGroup(agentID: String)
    /// The leader is a member but suspended or its membership inactive.
    case leaderUnavailable(agentID: String)
    /// A dynamic pattern names a selector this server does not have.
    case unknownSelector(name: String, known: [String])
    /// A selector_config member has the wrong shape.
    case invalidSelectorConfig(field: String, problem: String)

    public var description: String {
        switch self {
        case .malformed(let field, let problem): "\(field): \(problem)"
        case .wrongPattern(let expected, let actual): "the group's coordination pattern is \(actual), not \(expected)"
        case .noAvailableMember: "no member of the group is available (every member is suspended, inactive or an observer)"
        case .leaderNotInGroup(let id): "the supervisor pattern's leader \(id) is not a member of the group"
        case .leaderUnavailable(let id): "the group's leader \(id) is suspended or its membership is inactive"
        case .unknownSelector(let name, let known):
            "coordination_pattern.selector_name: unknown selector \"\(name)\"; known: \(known.joined(separator: ", "))"
        case .invalidSelectorConfig(let field, let problem): "coordination_pattern.selector_config.\(field): \(problem)"
        }
    }
}
