import Testing

@testable import Host

@Suite struct LineSplitterTests {
    private func feed(_ splitter: inout LineSplitter, _ text: String) -> [String] {
        let lines = Array(text.utf8).withUnsafeBytes { splitter.append($0) }
        return lines.ranges.map { String(decoding: lines.bytes[$0], as: UTF8.self) }
    }

    @Test func linesAcrossPiecesWithEitherLineBreak() {
        var splitter = LineSplitter(maxLineBytes: 64, longLines: .refuse)
        #expect(feed(&splitter, "one\ntw") == ["one"])
        #expect(feed(&splitter, "o\r") == [])
        #expect(feed(&splitter, "\n\nthree\r\nfour") == ["two", "", "three"])
        let last = splitter.finish()
        #expect(String(decoding: last.bytes, as: UTF8.self) == "four" && last.ranges == [0..<4])
        #expect(splitter.finish().ranges.isEmpty)
    }

    @Test func aRefusedLongLineEndsTheStreamAfterTheLinesBeforeIt() {
        var splitter = LineSplitter(maxLineBytes: 4, longLines: .refuse)
        #expect(feed(&splitter, "abcd\nab") == ["abcd"])
        #expect(!splitter.overflowed)
        #expect(feed(&splitter, "c\nok\nabcde") == ["abc", "ok"])
        #expect(splitter.overflowed)
        #expect(feed(&splitter, "\nmore\n") == [])
        var complete = LineSplitter(maxLineBytes: 4, longLines: .refuse)
        #expect(feed(&complete, "ok\nabcdef\nnext\n") == ["ok"] && complete.overflowed)
    }

    @Test func splitLongLinesComeOutInPieces() {
        var splitter = LineSplitter(maxLineBytes: 4, longLines: .split)
        #expect(feed(&splitter, "abcdefghij\nxy") == ["abcd", "efgh", "ij"])
        #expect(feed(&splitter, "zabcdefgh") == ["xyza", "bcde"])
        #expect(feed(&splitter, "\n") == ["fgh"])
        #expect(!splitter.overflowed)
    }
}
