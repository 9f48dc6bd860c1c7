/// How the planners compare text: answers (voting) and capabilities against a message
/// (supervisor's and dynamic's capability matching, voting's expertise weighting).
public enum TextMatching {
    /// The form two answers are compared in: surrounding whitespace trimmed, letters
    /// lowercased (Unicode-aware: "É" and "é" agree), every run of whitespace (spaces, tabs,
    /// newlines) collapsed to one space, opening quotes stripped from the start, then trailing
    /// punctuation (`. , ! ? ; : …` and closing quotes/brackets) stripped. So "Paris.",
    /// " paris ", "PARIS!" and "\"Paris.\"" are one answer, while "Paris, France" and "Paris"
    /// are two. Nothing else is rewritten: no stemming, no synonyms, no number formats.
    public static func normalizedAnswer(_ text: String) -> String {
        let collapsed = text.lowercased().split(whereSeparator: \.isWhitespace).joined(separator: " ")
        var result = Substring(collapsed)
        while let first = result.first, leadingQuotes.contains(first) {
            result = result.dropFirst()
            while result.first?.isWhitespace == true { result = result.dropFirst() }
        }
        while let last = result.last, trailingPunctuation.contains(last) {
            result = result.dropLast()
            while result.last?.isWhitespace == true { result = result.dropLast() }
        }
        return String(result)
    }

    private static let leadingQuotes: Set<Character> = ["\"", "'", "«", "“", "‘"]
    private static let trailingPunctuation: Set<Character> = [
        ".", ",", "!", "?", ";", ":", "…", "\"", "'", ")", "]", "»", "”", "’",
    ]

    /// The lowercased words of `text`: runs of letters and digits (so "code-review" and
    /// "code_review" are the words code, review).
    public static func words(_ text: String) -> [Substring] {
        let lowered = text.lowercased()
        return lowered.split { !($0.isLetter || $0.isNumber) }
    }

    /// True when `capability`'s words appear in `text` as consecutive words ("code review"
    /// matches "please code review this", not "review the code"). An empty capability never matches.
    public static func mentions(_ capability: String, in text: String) -> Bool {
        mentions(words(capability), inWords: words(text))
    }

    static func mentions(_ needle: [Substring], inWords haystack: [Substring]) -> Bool {
        guard !needle.isEmpty, needle.count <= haystack.count else { return false }
        for start in 0...(haystack.count - needle.count) where haystack[start] == needle[0] {
            if haystack[start..<(start + needle.count)].elementsEqual(needle) { return true }
        }
        return false
    }

    /// How many of `member`'s expertise entries (capabilities and specialist domain) `text`
    /// mentions, or equal `required` (case-insensitively, by words) when one is given.
    public static func expertiseScore(of member: Member, text: String, required: [String] = []) -> Int {
        let textWords = words(text)
        let requiredWords = required.map(words)
        return member.expertise.reduce(0) { score, entry in
            let entryWords = words(entry)
            let wanted = mentions(entryWords, inWords: textWords) || requiredWords.contains { $0 == entryWords && !$0.isEmpty }
            return wanted ? score + 1 : score
        }
    }
}
