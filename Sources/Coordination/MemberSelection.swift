/// The choices several patterns make among candidate members (supervisor delegation, the
/// dynamic selectors), defined once.
extension [Member] {
    /// The member with the fewest turns running or queued (`busy`, by agent id; absent is 0);
    /// ties go to the earlier member. Nil when empty.
    public func leastBusy(_ busy: [String: Int]) -> Member? {
        // min(by:) keeps the first of equal elements.
        self.min { busy[$0.agentID, default: 0] < busy[$1.agentID, default: 0] }
    }

    /// The members with the highest `TextMatching.expertiseScore` on `text` (and `required`),
    /// and that score; nil when empty.
    public func bestExpertise(for text: String, required: [String] = []) -> (members: [Member], score: Int)? {
        let scores = map { TextMatching.expertiseScore(of: $0, text: text, required: required) }
        guard let best = scores.max() else { return nil }
        return (zip(self, scores).filter { $0.1 == best }.map(\.0), best)
    }
}
