/// How many agents one group may name. Every agent named costs an ownership read through
/// "agents.v1", so the lists are bounded as they are parsed, counted as sent (repeats too).
enum GroupLimits {
    /// The most members a group has, and the most agent ids its coordination pattern names
    /// (all stages and fallbacks together).
    static let maxAgents = 256
}
