import Testing
@testable import Coordination

@Suite struct TextMatchingTests {
    @Test func answersAreTrimmedCaseFoldedWhitespaceCollapsedAndTrailingPunctuationStripped() {
        for variant in ["Paris", "paris.", "  PARIS!  ", "Paris?!", "paris …", "\"Paris.\"", "Paris )"] {
            #expect(TextMatching.normalizedAnswer(variant) == "paris", "\(variant)")
        }
        #expect(TextMatching.normalizedAnswer("The\n answer\tis  42.") == "the answer is 42")
        #expect(TextMatching.normalizedAnswer("ÉTÉ") == "été")
        #expect(TextMatching.normalizedAnswer("Paris, France") != TextMatching.normalizedAnswer("Paris"))
        #expect(TextMatching.normalizedAnswer("3.14") == "3.14")
        #expect(TextMatching.normalizedAnswer(" .!? ") == "")
    }

    @Test func capabilitiesMatchAsConsecutiveWords() {
        #expect(TextMatching.mentions("code", in: "Please write some CODE today"))
        #expect(TextMatching.mentions("code-review", in: "a code review, please"))
        #expect(TextMatching.mentions("code_review", in: "Code-Review needed"))
        #expect(!TextMatching.mentions("code review", in: "review the code"))
        #expect(!TextMatching.mentions("code", in: "the decoder broke"))
        #expect(!TextMatching.mentions("", in: "anything"))
        #expect(!TextMatching.mentions("long capability name", in: "long"))
    }

    @Test func expertiseScoreCountsCapabilitiesAndTheSpecialistDomain() {
        let specialist = member("a", role: .specialist(domain: "rust"), capabilities: ["code", "testing"])
        #expect(TextMatching.expertiseScore(of: specialist, text: "rust code please") == 2)
        #expect(TextMatching.expertiseScore(of: specialist, text: "nothing here") == 0)
        #expect(TextMatching.expertiseScore(of: specialist, text: "nothing here", required: ["TESTING"]) == 1)
    }
}
