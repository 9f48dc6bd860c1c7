/// Decodes a chunked request body (RFC 9112 §7.1) incrementally: it keeps its place between calls,
/// so the body may arrive in any split, down to one byte at a time.
///
/// Like the head parser it is strict where leniency would let two parsers disagree on where the
/// body ends (bare CR or LF, whitespace or "0x" before a size, trailing bytes after chunk data),
/// and every part of the encoding is bounded: the decoded body, each size line, and the trailers.
struct ChunkedBodyDecoder: Sendable {
    /// Chunk extensions are ignored, but a client must not be able to stream an endless size line.
    static let maxChunkSizeLineBytes = 4096
    /// Trailer fields are ignored, but bounded like a head.
    static let maxTrailerBytes = 16 * 1024

    private enum State: Sendable {
        case chunkSize
        /// Whitespace after the size; only a chunk extension may follow it.
        case whitespaceBeforeExtension
        case chunkExtension
        case chunkSizeLineFeed
        case chunkData
        case chunkDataCarriageReturn
        case chunkDataLineFeed
        case trailerLineStart
        case trailerName
        case trailerValue
        case trailerLineFeed
        case finalLineFeed
        case complete
    }

    private let maxBodyBytes: Int
    private var state = State.chunkSize
    private var chunkSize: UInt64 = 0
    private var chunkSizeDigits = 0
    private var chunkSizeLineBytes = 0
    private var remainingChunkBytes = 0
    private var decodedBytes = 0
    private var trailerBytes = 0

    /// True once the last chunk, the trailers and the final CRLF have been consumed.
    var isComplete: Bool { state == .complete }

    init(maxBodyBytes: Int) {
        self.maxBodyBytes = maxBodyBytes
    }

    /// Consumes bytes from `input`, appending decoded data to `body`, and returns how many were
    /// consumed. Once the body is complete it stops: the remaining bytes belong to the next
    /// pipelined request. Throws 400 for malformed framing, 413 when the decoded body would exceed
    /// `maxBodyBytes`, and 431 when the trailers exceed `maxTrailerBytes`.
    mutating func decode(_ input: UnsafeRawBufferPointer, into body: inout [UInt8]) throws(HTTPParseError) -> Int {
        var offset = 0
        while offset < input.count && state != .complete {
            if state == .chunkData {
                let count = min(remainingChunkBytes, input.count - offset)
                body.append(contentsOf: UnsafeRawBufferPointer(rebasing: input[offset..<offset + count]))
                offset += count
                remainingChunkBytes -= count
                if remainingChunkBytes == 0 { state = .chunkDataCarriageReturn }
            } else {
                try consumeFramingByte(input[offset])
                offset += 1
            }
        }
        return offset
    }

    /// Advances the state machine over one byte of a size line, a chunk's CRLF or the trailers.
    private mutating func consumeFramingByte(_ byte: UInt8) throws(HTTPParseError) {
        switch state {
        case .chunkSize:
            try countChunkSizeLineByte()
            if let digit = Self.hexDigitValue(byte) {
                guard chunkSizeDigits < 16 else { throw .badRequest("chunk size too long") }
                chunkSize = chunkSize << 4 | digit
                chunkSizeDigits += 1
                return
            }
            guard chunkSizeDigits > 0 else { throw .badRequest("invalid chunk size") }
            switch byte {
            case UInt8(ascii: ";"): state = .chunkExtension
            case HTTPSyntax.space, HTTPSyntax.htab: state = .whitespaceBeforeExtension
            case HTTPSyntax.cr: state = .chunkSizeLineFeed
            default: throw .badRequest("invalid chunk size")
            }

        case .whitespaceBeforeExtension:
            // RFC 9112 §7.1.1 allows BWS before the ';' of an extension, and nothing else there.
            try countChunkSizeLineByte()
            if byte == UInt8(ascii: ";") {
                state = .chunkExtension
            } else if !HTTPSyntax.isWhitespace(byte) {
                throw .badRequest("malformed chunk extension")
            }

        case .chunkExtension:
            // Extensions are ignored, so their inner syntax is not checked; refusing every control
            // byte is what matters, since it guarantees the line ends at the first CR.
            try countChunkSizeLineByte()
            if byte == HTTPSyntax.cr {
                state = .chunkSizeLineFeed
            } else if !HTTPSyntax.isFieldValueChar(byte) {
                throw .badRequest("invalid character in chunk extension")
            }

        case .chunkSizeLineFeed:
            try countChunkSizeLineByte()
            guard byte == HTTPSyntax.lf else { throw .badRequest("bare CR in chunk size line") }
            try startChunk()

        case .chunkDataCarriageReturn:
            guard byte == HTTPSyntax.cr else { throw .badRequest("chunk data longer than its size") }
            state = .chunkDataLineFeed

        case .chunkDataLineFeed:
            guard byte == HTTPSyntax.lf else { throw .badRequest("bare CR after chunk data") }
            state = .chunkSize

        case .trailerLineStart:
            try countTrailerByte()
            if byte == HTTPSyntax.cr {
                state = .finalLineFeed
            } else if HTTPSyntax.isTokenChar(byte) {
                state = .trailerName
            } else {
                throw .badRequest(HTTPSyntax.isWhitespace(byte) ? "obsolete line folding in trailer" : "malformed trailer field")
            }

        case .trailerName:
            try countTrailerByte()
            if byte == HTTPSyntax.colon {
                state = .trailerValue
            } else if !HTTPSyntax.isTokenChar(byte) {
                throw .badRequest("malformed trailer field")
            }

        case .trailerValue:
            try countTrailerByte()
            if byte == HTTPSyntax.cr {
                state = .trailerLineFeed
            } else if !HTTPSyntax.isFieldValueChar(byte) {
                throw .badRequest("invalid character in trailer field")
            }

        case .trailerLineFeed:
            try countTrailerByte()
            guard byte == HTTPSyntax.lf else { throw .badRequest("bare CR in trailer field") }
            state = .trailerLineStart

        case .finalLineFeed:
            try countTrailerByte()
            guard byte == HTTPSyntax.lf else { throw .badRequest("bare CR at end of chunked body") }
            state = .complete

        case .chunkData, .complete:
            preconditionFailure("decode(_:into:) handles chunk data and stops once complete")
        }
    }

    /// Called at the end of a size line: a zero size is the last chunk, which trailers follow.
    private mutating func startChunk() throws(HTTPParseError) {
        let size = chunkSize
        chunkSize = 0
        chunkSizeDigits = 0
        chunkSizeLineBytes = 0
        if size == 0 {
            state = .trailerLineStart
            return
        }
        guard size <= UInt64(maxBodyBytes - decodedBytes) else {
            throw .contentTooLarge("request body too large")
        }
        remainingChunkBytes = Int(size)
        decodedBytes += remainingChunkBytes
        state = .chunkData
    }

    private mutating func countChunkSizeLineByte() throws(HTTPParseError) {
        chunkSizeLineBytes += 1
        guard chunkSizeLineBytes <= Self.maxChunkSizeLineBytes else {
            throw .badRequest("chunk size line too long")
        }
    }

    private mutating func countTrailerByte() throws(HTTPParseError) {
        trailerBytes += 1
        guard trailerBytes <= Self.maxTrailerBytes else {
            throw .headerFieldsTooLarge("trailer fields too large")
        }
    }

    private static func hexDigitValue(_ byte: UInt8) -> UInt64? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt64(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt64(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt64(byte - UInt8(ascii: "A") + 10)
        default: nil
        }
    }
}
