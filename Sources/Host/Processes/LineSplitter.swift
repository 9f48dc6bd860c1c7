/// Cuts a byte stream into lines (a line break is `\n` or `\r\n`, not part of the line) while
/// holding at most one unfinished line of at most `maxLineBytes`.
struct LineSplitter {
    /// What a line longer than the bound does: ends the stream, or comes out in pieces.
    enum LongLines {
        case refuse
        case split
    }

    /// Complete lines: ranges of `bytes`.
    struct Lines {
        var bytes: [UInt8] = []
        var ranges: [Range<Int>] = []
    }

    let maxLineBytes: Int
    let longLines: LongLines
    /// A line passed the bound while long lines are refused: nothing more comes out.
    private(set) var overflowed = false
    private var buffer: [UInt8] = []
    /// Bytes at the start of `buffer` already known to hold no line break.
    private var scanned = 0

    init(maxLineBytes: Int, longLines: LongLines) {
        self.maxLineBytes = max(1, maxLineBytes)
        self.longLines = longLines
    }

    /// Appends `bytes` and takes out the lines they complete (up to an overflowing one).
    mutating func append(_ bytes: UnsafeRawBufferPointer) -> Lines {
        guard !overflowed else { return Lines() }
        buffer.append(contentsOf: bytes)
        var ranges: [Range<Int>] = []
        var start = 0
        while let newline = buffer[scanned...].firstIndex(of: UInt8(ascii: "\n")) {
            var end = newline
            if end > start && buffer[end - 1] == UInt8(ascii: "\r") { end -= 1 }
            guard cut(start..<end, into: &ranges) else { return overflow(keeping: start, ranges) }
            start = newline + 1
            scanned = start
        }
        scanned = buffer.count
        if buffer.count - start > maxLineBytes {
            guard longLines == .split else { return overflow(keeping: start, ranges) }
            // Whole pieces of the unfinished line go now; the rest waits for its line break.
            let whole = start + (buffer.count - start) / maxLineBytes * maxLineBytes
            _ = cut(start..<whole, into: &ranges)
            start = whole
        }
        return take(through: start, ranges)
    }

    /// The unfinished last line, as a line of its own (at the end of the stream).
    mutating func finish() -> Lines {
        let end = buffer.count
        return take(through: end, end > 0 ? [0..<end] : [])
    }

    /// Adds `range` as one line, or in pieces of `maxLineBytes` when splitting long lines;
    /// false when it is too long and long lines are refused.
    private func cut(_ range: Range<Int>, into ranges: inout [Range<Int>]) -> Bool {
        if range.count <= maxLineBytes {
            ranges.append(range)
            return true
        }
        guard longLines == .split else { return false }
        for piece in stride(from: range.lowerBound, to: range.upperBound, by: maxLineBytes) {
            ranges.append(piece..<min(piece + maxLineBytes, range.upperBound))
        }
        return true
    }

    /// The lines before the one that overflowed; the rest is dropped.
    private mutating func overflow(keeping end: Int, _ ranges: [Range<Int>]) -> Lines {
        overflowed = true
        let lines = take(through: end, ranges)
        buffer = []
        scanned = 0
        return lines
    }

    /// Hands out `buffer[..<end]` with its line ranges and keeps the rest.
    private mutating func take(through end: Int, _ ranges: [Range<Int>]) -> Lines {
        guard end > 0 else { return Lines() }
        let lines = Lines(bytes: Array(buffer[..<end]), ranges: ranges)
        buffer.removeFirst(end)
        scanned -= end
        return lines
    }
}
