import PluginKit

/// `dynamic {selector_name, selector_config}`.
public struct DynamicPattern: Sendable, Equatable {
    public var selectorName: String
    public var selectorConfig: JSONValue

    public init(selectorName: String, selectorConfig: JSONValue = [:]) {
        self.selectorName = selectorName
        self.selectorConfig = selectorConfig
    }

    init(_ fields: JSONFields) throws(HTTPError) {
        selectorName = try fields.requiredString("selector_name")
        selectorConfig = fields.value("selector_config") ?? [:]
    }
}

/// The selectors a dynamic group may name (`selector_name`), with their `selector_config`:
/// - `capability`: `{"capabilities": ["…"]?}` — the member whose expertise the message
///   mentions most (or equals one of the listed capabilities), ties to the less busy then the
///   earlier member; when nobody matches, the least busy member;
/// - `least_busy` (Pattern's `load_balancing` is the same selector): no config — the member
///   with the fewest turns running or queued, ties to the earlier member;
/// - `random`: no config — uniformly, with the caller's random number generator.
/// Unknown config members are ignored.
public enum DynamicSelector: Sendable, Equatable {
    case capability(preferred: [String])
    case leastBusy
    case random

    public static let names = ["capability", "least_busy", "load_balancing", "random"]

    public init(name: String, config: JSONValue) throws(CoordinationError) {
        switch name {
        case "capability":
            guard case .object(let members) = config else {
                throw .invalidSelectorConfig(field: "", problem: "must be an object")
            }
            switch members["capabilities"] {
            case nil, .null?: self = .capability(preferred: [])
            case .array(let values)? where values.allSatisfy({ $0.stringValue != nil }):
                self = .capability(preferred: values.compactMap(\.stringValue))
            default: throw .invalidSelectorConfig(field: "capabilities", problem: "must be an array of strings")
            }
        case "least_busy", "load_balancing": self = .leastBusy
        case "random": self = .random
        default: throw .unknownSelector(name: name, known: Self.names)
        }
    }
}

/// The dynamic pattern: `@name` addresses members, `@all` every member, otherwise the selector
/// picks one.
///
/// Mentions: an `@` at the start of the message or after a character that is not a letter,
/// digit, `_`, `-` or `.` (so `me@example.com` is no mention), followed by a member's agent
/// name compared case-insensitively (the longest name that fits, ending where the text ends
/// or at a character that is not a letter, digit, `_` or `-`), or by `all`. `@all` addresses
/// every member that may answer (observers are left out), and wins over names beside it; a
/// member named explicitly answers
/// even when it is an observer. An `@word` naming no member is plain text: it is reported in
/// `DynamicPlan.unmatchedMentions` and, when nothing else is addressed, the selector decides.
/// A mentioned member that is unavailable is reported in `unavailableMentions`; when every
/// mentioned member is unavailable, `noAvailableMember`.
public struct DynamicPlanner: Sendable {
    public let group: GroupSnapshot
    public let pattern: DynamicPattern
    public let selector: DynamicSelector

    /// Refuses an unknown selector name or a malformed selector_config up front.
    public init(group: GroupSnapshot) throws(CoordinationError) {
        self.group = group
        pattern = try group.pattern("dynamic") { if case .dynamic(let pattern) = $0 { pattern } else { nil } }
        selector = try DynamicSelector(name: pattern.selectorName, config: pattern.selectorConfig)
    }

    /// Who answers `message`; `busy` counts turns running or queued per agent id.
    public func route(_ message: String, busy: [String: Int] = [:], using random: inout some RandomNumberGenerator)
        throws(CoordinationError) -> DynamicPlan
    {
        let mentions = Mentions(message, members: group.members)
        let unavailable = mentions.members.filter { !$0.isAvailable }
        if mentions.all {
            let everyone = group.respondents
            guard !everyone.isEmpty else { throw .noAvailableMember }
            return DynamicPlan(route: .broadcast(everyone), unmatchedMentions: mentions.unmatched,
                               unavailableMentions: unavailable)
        }
        if !mentions.members.isEmpty {
            let addressed = mentions.members.filter(\.isAvailable)
            guard !addressed.isEmpty else { throw .noAvailableMember }
            return DynamicPlan(route: .mentioned(addressed), unmatchedMentions: mentions.unmatched,
                               unavailableMentions: unavailable)
        }
        let candidates = group.respondents
        guard !candidates.isEmpty else { throw .noAvailableMember }
        // Never nil: candidates is not empty, and bestExpertise keeps at least one of them.
        let chosen: Member? = switch selector {
        case .leastBusy: candidates.leastBusy(busy)
        case .random: candidates[Int.random(in: 0..<candidates.count, using: &random)]
        case .capability(let preferred):
            candidates.bestExpertise(for: message, required: preferred)?.members.leastBusy(busy)
        }
        guard let chosen else { throw .noAvailableMember }
        return DynamicPlan(route: .selected(chosen), unmatchedMentions: mentions.unmatched, unavailableMentions: [])
    }
}

/// Where a dynamic group's message goes.
public struct DynamicPlan: Sendable, Equatable {
    public enum Route: Sendable, Equatable {
        /// The available members the message @mentions, in the order first mentioned.
        case mentioned([Member])
        /// `@all`: every member that may answer, in group order.
        case broadcast([Member])
        /// Nobody addressed: the selector's choice.
        case selected(Member)
    }

    public var route: Route
    /// `@words` that name no member (without the `@`), in message order.
    public var unmatchedMentions: [String]
    /// Mentioned members that cannot answer now (suspended or inactive).
    public var unavailableMentions: [Member]

    /// The members who answer.
    public var members: [Member] {
        switch route {
        case .mentioned(let members), .broadcast(let members): members
        case .selected(let member): [member]
        }
    }
}

/// The @mentions of one message.
struct Mentions {
    var members: [Member] = []
    var all = false
    var unmatched: [String] = []

    init(_ message: String, members groupMembers: [Member]) {
        let text = Array(message)
        // Longest names first, so "@lead-writer" is not read as "@lead".
        let names = groupMembers.filter { !$0.agentName.isEmpty }
            .map { (Array($0.agentName.lowercased()), $0) }
            .sorted { $0.0.count > $1.0.count }
        var index = 0
        while index < text.count {
            defer { index += 1 }
            guard text[index] == "@", index == 0 || !Self.isAddressCharacter(text[index - 1]) else { continue }
            let rest = text[(index + 1)...]
            let lowered = Array(String(rest.prefix(129)).lowercased())
            if Self.starts(lowered, with: Array("all")) {
                all = true
                index += 3
                continue
            }
            if let (name, member) = names.first(where: { Self.starts(lowered, with: $0.0) }) {
                if !members.contains(member) { members.append(member) }
                index += name.count
                continue
            }
            let word = rest.prefix { Self.isNameCharacter($0) }
            if !word.isEmpty {
                unmatched.append(String(word))
                index += word.count
            }
        }
    }

    /// `text` begins with `name` and the name ends at a boundary.
    private static func starts(_ text: [Character], with name: [Character]) -> Bool {
        guard !name.isEmpty, text.count >= name.count, Array(text[0..<name.count]) == name else { return false }
        return text.count == name.count || !isNameCharacter(text[name.count])
    }

    private static func isNameCharacter(_ character: Character) -> Bool {
        character.isLetter || character.isNumber || character == "_" || character == "-"
    }

    /// Characters of an e-mail address's local part, before which an `@` is no mention.
    private static func isAddressCharacter(_ character: Character) -> Bool {
        isNameCharacter(character) || character == "."
    }
}
