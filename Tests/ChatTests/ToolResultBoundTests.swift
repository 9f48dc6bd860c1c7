import Testing
@testable import Chat

/// A tool result's bound: up to `maxResultBytes` it is kept whole; past it, cut and marked, and
/// never in the middle of a character. (Sizes are compared rather than 64 KiB strings, so that a
/// failure stays readable.)
@Suite struct ToolResultBoundTests {
    static let marker = "\n[truncated]"

    @Test func aResultOfMaxResultBytesIsKeptWhole() {
        let bounded = ToolBox.bounded(String(repeating: "x", count: ToolBox.maxResultBytes))
        #expect(bounded.utf8.count == ToolBox.maxResultBytes)
        #expect(!bounded.hasSuffix(Self.marker))
    }

    @Test func oneByteMoreIsCutAndMarked() {
        let bounded = ToolBox.bounded(String(repeating: "x", count: ToolBox.maxResultBytes) + "y")
        #expect(bounded.utf8.count == ToolBox.maxResultBytes + Self.marker.utf8.count)
        #expect(bounded.hasSuffix("x" + Self.marker))
    }

    @Test func aCharacterAcrossTheBoundIsLeftOutWhole() {
        let bounded = ToolBox.bounded(String(repeating: "x", count: ToolBox.maxResultBytes - 1) + "é")
        #expect(bounded.utf8.count == ToolBox.maxResultBytes - 1 + Self.marker.utf8.count)
        #expect(bounded.hasSuffix("x" + Self.marker))
    }
}
