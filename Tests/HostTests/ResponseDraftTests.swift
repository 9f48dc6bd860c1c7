import Testing
@testable import Host

@Suite struct ResponseDraftTests {
    private func lines(_ draft: ResponseDraft) -> String { String(decoding: draft.headerLines, as: UTF8.self) }

    @Test func headersAreKeptAsWireLinesInOrder() {
        var draft = ResponseDraft()
        draft.addHeader("RateLimit", "\"default\";r=5;t=1")
        Array("X-Plugin".utf8).withUnsafeBytes { name in
            Array("från".utf8).withUnsafeBytes { value in draft.addHeader(name: name, value: value) }
        }
        #expect(lines(draft) == "RateLimit: \"default\";r=5;t=1\r\nX-Plugin: från\r\n")
    }

    @Test func replacingTheResponseDropsEveryEarlierContentTypeAndKeepsTheRest() {
        var draft = ResponseDraft()
        draft.addHeader("content-TYPE", "text/plain")
        draft.addHeader("Retry-After", "3")
        draft.addHeader("Content-Type", "text/html")
        draft.addHeader("Content-Typed", "kept: not the same name")
        draft.replace(status: 429, contentType: "application/json", body: Array("{}".utf8))
        #expect(draft.status == 429 && draft.body == Array("{}".utf8))
        #expect(lines(draft) == "Retry-After: 3\r\nContent-Typed: kept: not the same name\r\n"
            + "Content-Type: application/json\r\n")
    }

    @Test func hasHeaderMatchesWholeNamesInAnyCase() {
        var draft = ResponseDraft()
        draft.addHeader("Content-Typed", "not the same name")
        #expect(!draft.hasHeader(named: ResponseDraft.contentType))
        draft.addHeader("CONTENT-type", "text/plain")
        #expect(draft.hasHeader(named: ResponseDraft.contentType))
    }

    @Test func reservedNamesAreRefusedInAnyCase() {
        for name in ["Content-Length", "transfer-encoding", "CONNECTION", "Date", "server", "Keep-Alive", "upgrade"] {
            #expect(Array(name.utf8).withUnsafeBytes(ResponseDraft.isReserved), "\(name)")
        }
        for name in ["Content-Type", "X-Date", "Dates", "Serve"] {
            #expect(!Array(name.utf8).withUnsafeBytes(ResponseDraft.isReserved), "\(name)")
        }
    }
}
