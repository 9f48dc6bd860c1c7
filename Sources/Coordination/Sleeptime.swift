import PluginKit

/// `sleeptime {check_interval, triggers, intervention_agent_id?}`.
public struct SleeptimePattern: Sendable, Equatable {
    public var checkIntervalMilliseconds: Int64
    /// Free-form objects (the groups plugin checks only that each is an object); rendered into
    /// the intervention prompt.
    public var triggers: [JSONValue]
    public var interventionAgentID: String?

    public init(checkIntervalMilliseconds: Int64, triggers: [JSONValue] = [], interventionAgentID: String? = nil) {
        self.checkIntervalMilliseconds = checkIntervalMilliseconds
        self.triggers = triggers
        self.interventionAgentID = interventionAgentID
    }

    init(_ fields: JSONFields) throws(HTTPError) {
        checkIntervalMilliseconds = try fields.requiredInteger("check_interval")
        guard checkIntervalMilliseconds > 0 else { throw .validation(fields.field("check_interval"), "must be positive") }
        triggers = try fields.array("triggers") ?? []
        interventionAgentID = try fields.string("intervention_agent_id")
    }
}

/// One entry of groups.v1 `list_sleeptime_groups`.
public struct SleeptimeGroup: Sendable, Equatable {
    public var groupID: String
    public var ownerID: String
    public var pattern: SleeptimePattern
    /// When a message was last routed to the group (epoch milliseconds), if ever.
    public var lastActiveAt: Int64?

    public init(groupID: String, ownerID: String, pattern: SleeptimePattern, lastActiveAt: Int64? = nil) {
        self.groupID = groupID
        self.ownerID = ownerID
        self.pattern = pattern
        self.lastActiveAt = lastActiveAt
    }
}

/// One page of groups.v1 `list_sleeptime_groups`.
public struct SleeptimePage: Sendable, Equatable {
    public var groups: [SleeptimeGroup]
    /// Pass back as `after_group_id` for the next page; nil on the last page.
    public var nextAfter: String?

    public init(groups: [SleeptimeGroup], nextAfter: String?) {
        self.groups = groups
        self.nextAfter = nextAfter
    }

    public init(jsonText: String) throws(CoordinationError) {
        guard let json = JSONValue(parsing: jsonText) else { throw .malformed(field: "body", problem: "is not JSON") }
        (groups, nextAfter) = try decoding { () throws(HTTPError) in
            let fields = try JSONFields(json)
            var groups: [SleeptimeGroup] = []
            for (index, value) in try fields.requiredArray("groups").enumerated() {
                let entry = try JSONFields(value, path: "groups[\(index)]")
                let lastActive = try entry.string("last_active_at")
                groups.append(SleeptimeGroup(
                    groupID: try entry.requiredString("group_id"), ownerID: try entry.requiredString("owner_id"),
                    pattern: try SleeptimePattern(entry), lastActiveAt: lastActive.flatMap(Timestamp.parse)))
            }
            return (groups, try fields.string("next_after"))
        }
    }
}

/// The sleeptime pattern: on a timer, every `check_interval`, an intervention agent reviews
/// the group's recent messages and may post.
///
/// Times are epoch milliseconds. A check is due when none has run yet, or when
/// `check_interval` has passed since the last one AND a message reached the group since the
/// last check (`lastActivityAt`, groups.v1's `last_active_at`): a quiet group costs no model
/// call. A caller that does not track activity passes nil and gets the interval rule alone.
public enum SleeptimePlanner {
    public static func isCheckDue(_ pattern: SleeptimePattern, lastCheckAt: Int64?, lastActivityAt: Int64?,
                                  now: Int64) -> Bool {
        guard let lastCheckAt else { return true }
        guard now - lastCheckAt >= pattern.checkIntervalMilliseconds else { return false }
        guard let lastActivityAt else { return true }
        return lastActivityAt > lastCheckAt
    }

    /// When the next check falls due (for arming a one-shot timer): `check_interval` after the
    /// last check, or now when none has run.
    public static func nextCheck(_ pattern: SleeptimePattern, lastCheckAt: Int64?, now: Int64) -> Int64 {
        guard let lastCheckAt else { return now }
        return max(now, lastCheckAt + pattern.checkIntervalMilliseconds)
    }

    /// Who reviews: `intervention_agent_id` when set (it need not be a member; nil when it is a
    /// member that is unavailable), otherwise the first available member with role supervisor,
    /// otherwise the first member that may answer; nil when nobody can.
    public static func interventionAgentID(in group: GroupSnapshot, pattern: SleeptimePattern) -> String? {
        if let chosen = pattern.interventionAgentID {
            if let member = group.member(chosen), !member.isAvailable { return nil }
            return chosen
        }
        if let supervisor = group.members.first(where: { $0.role == .supervisor && $0.isAvailable }) {
            return supervisor.agentID
        }
        return group.respondents.first?.agentID
    }

    /// The bounds of the intervention prompt.
    public struct PromptLimits: Sendable, Equatable {
        /// The most recent messages included.
        public var maxMessages: Int
        /// Longer messages are cut to this many characters (marked with "…").
        public var maxCharactersPerMessage: Int
        /// The transcript's whole size; the oldest included messages are dropped to fit.
        public var maxTranscriptCharacters: Int

        public init(maxMessages: Int = 20, maxCharactersPerMessage: Int = 1000, maxTranscriptCharacters: Int = 8000) {
            self.maxMessages = maxMessages
            self.maxCharactersPerMessage = maxCharactersPerMessage
            self.maxTranscriptCharacters = maxTranscriptCharacters
        }
    }

    /// One stored group message, oldest first when passed in.
    public struct Message: Sendable, Equatable {
        /// The agent's name for an agent's message, "user" for the user's.
        public var author: String
        public var text: String
        /// RFC 3339, as stored.
        public var createdAt: String

        public init(author: String, text: String, createdAt: String) {
            self.author = author
            self.text = text
            self.createdAt = createdAt
        }
    }

    /// The user message given to the intervention agent: what to do, the triggers to watch
    /// for (each trigger's `name` and `condition`, or its JSON when it has neither, at most
    /// 16 lines of 300 characters), and the bounded transcript of the most recent messages,
    /// oldest first. With no messages the transcript says so.
    public static func interventionPrompt(groupName: String, pattern: SleeptimePattern, messages: [Message],
                                          limits: PromptLimits = PromptLimits()) -> String {
        var lines = [
            "You are reviewing the recent conversation of the group \"\(groupName)\" on a scheduled check.",
            "If something needs your intervention, reply with the message to post to the group; "
                + "otherwise reply with exactly: NO_INTERVENTION",
        ]
        let triggers = pattern.triggers.prefix(16).map { trigger -> String in
            let name = trigger["name"]?.stringValue
            let condition = trigger["condition"].map(\.jsonText)
            let text = [name, condition].compactMap { $0 }.joined(separator: ": ")
            return "- " + clip(text.isEmpty ? trigger.jsonText : text, to: 300)
        }
        if !triggers.isEmpty { lines += ["", "Watch for:"] + triggers }
        lines += ["", "Recent messages (oldest first):"]
        let transcript = transcript(messages, limits)
        lines += transcript.isEmpty ? ["(no messages)"] : transcript
        return lines.joined(separator: "\n")
    }

    static let noIntervention = "NO_INTERVENTION"

    /// True when the intervention agent's reply means "nothing to post".
    public static func declines(_ reply: String) -> Bool {
        let normalized = TextMatching.normalizedAnswer(reply)
        return normalized.isEmpty || normalized == noIntervention.lowercased()
    }

    private static func transcript(_ messages: [Message], _ limits: PromptLimits) -> [String] {
        var kept: [String] = []
        var size = 0
        for message in messages.suffix(max(0, limits.maxMessages)).reversed() {
            let line = "[\(message.createdAt)] \(message.author): \(clip(message.text, to: limits.maxCharactersPerMessage))"
            guard size + line.count <= limits.maxTranscriptCharacters else { break }
            size += line.count + 1
            kept.append(line)
        }
        return kept.reversed()
    }

    private static func clip(_ text: String, to limit: Int) -> String {
        text.count <= limit ? text : String(text.prefix(max(0, limit - 1))) + "…"
    }
}
