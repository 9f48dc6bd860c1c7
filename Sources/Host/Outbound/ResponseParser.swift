/// Reads an HTTP/1.1 response incrementally from whatever bytes arrive: the head (bounded,
/// 1xx interim responses skipped), then the body by Content-Length, chunked transfer coding
/// (through `ChunkedBodyDecoder`) or until the peer closes, never more than `maxBodyBytes`.
struct ResponseParser {
    struct Head: Sendable, Equatable {
        var status: Int
        var headers: [OutboundRequest.Header]
        /// Whether the connection may carry another request once this body is read.
        var keepAlive: Bool

        /// The first value of a header; `name` in lower case (compared without regard to case).
        func value(_ name: String) -> String? {
            values(name).first
        }

        /// Every value of a header; `name` in lower case. Compared byte by byte: a String per
        /// header name was a measurable part of every outbound call.
        func values(_ name: String) -> [String] {
            headers.lazy.filter { $0.name.count == name.utf8.count && $0.name.lazy.map(Self.lower).elementsEqual(name.utf8) }
                .map { String(decoding: $0.value, as: UTF8.self) }
        }

        /// Whether the body is a stream of server-sent events: a 2xx whose media type is
        /// text/event-stream (any case, parameters allowed). Anything else, a JSON answer or an
        /// error document, is bytes even for a caller that asked for events.
        var isEventStream: Bool {
            guard (200..<300).contains(status), let type = value("content-type") else { return false }
            var mediaType = type.prefix { $0 != ";" }  // the value itself comes trimmed
            while mediaType.last == " " || mediaType.last == "\t" { mediaType.removeLast() }
            return mediaType.lowercased() == "text/event-stream"
        }

        static func lower(_ byte: UInt8) -> UInt8 { byte >= 65 && byte <= 90 ? byte | 0x20 : byte }
    }

    enum Output: Equatable {
        case head(Head)
        case body([UInt8])
        case end
    }

    static let maxHeadBytes = 64 * 1024
    static let maxHeaderCount = 256

    private enum Framing {
        case length(remaining: Int)
        case chunked(ChunkedBodyDecoder)
        case untilClose
    }

    private enum State {
        case head
        case body(Framing)
        case done
    }

    private let maxBodyBytes: Int
    private let isHeadRequest: Bool
    private var state = State.head
    private var bodyBytes = 0
    /// How far the head has been searched for its end, so a trickled head is scanned once.
    private var scanned = 0

    init(maxBodyBytes: Int, isHeadRequest: Bool) {
        self.maxBodyBytes = maxBodyBytes
        self.isHeadRequest = isHeadRequest
    }

    var isComplete: Bool { if case .done = state { true } else { false } }
    /// True once the head is read (a close after it is a short body, not a missing answer).
    var hasHead: Bool { if case .head = state { false } else { true } }
    var bodyBytesRead: Int { bodyBytes }

    /// Consumes what it can of `input`, appending what it found to `outputs`; returns the bytes
    /// consumed (the rest must be offered again with more). Stops after the response ends.
    mutating func parse(_ input: UnsafeRawBufferPointer, into outputs: inout [Output]) throws(OutboundFailure) -> Int {
        var offset = 0
        while offset < input.count {
            let rest = UnsafeRawBufferPointer(rebasing: input[offset...])
            switch state {
            case .done:
                return offset
            case .head:
                guard let length = try headLength(rest) else { return offset }
                offset += length
                scanned = 0
                guard let head = try Self.parseHead(UnsafeRawBufferPointer(rebasing: rest[0..<length])) else { continue }
                try begin(head, into: &outputs)
            case .body(.length(let remaining)):
                let count = min(remaining, rest.count)
                outputs.append(.body(Array(rest[0..<count])))
                offset += count
                bodyBytes += count
                if remaining == count { finish(&outputs) } else { state = .body(.length(remaining: remaining - count)) }
            case .body(.chunked(var decoder)):
                var piece: [UInt8] = []
                let consumed: Int
                do {
                    consumed = try decoder.decode(rest, into: &piece)
                } catch {
                    throw error.status == 413 ? tooLarge() : OutboundFailure(.protocol, "malformed chunked body: \(error.reason)")
                }
                offset += consumed
                bodyBytes += piece.count
                if !piece.isEmpty { outputs.append(.body(piece)) }
                if decoder.isComplete { finish(&outputs) } else { state = .body(.chunked(decoder)) }
            case .body(.untilClose):
                guard bodyBytes + rest.count <= maxBodyBytes else { throw tooLarge() }
                outputs.append(.body(Array(rest)))
                bodyBytes += rest.count
                offset = input.count
            }
        }
        return offset
    }

    /// The peer closed the connection: the end of a read-until-close body, else a failure.
    mutating func close(into outputs: inout [Output]) throws(OutboundFailure) {
        switch state {
        case .done:
            return
        case .body(.untilClose):
            finish(&outputs)
        case .head:
            throw OutboundFailure(.protocol, "the server closed the connection without a complete response head")
        case .body(.length(let remaining)):
            throw OutboundFailure(.protocol, "the server closed the connection in mid-body (\(remaining) bytes short)")
        case .body(.chunked):
            throw OutboundFailure(.protocol, "the server closed the connection in mid-body (chunked, after \(bodyBytes) bytes)")
        }
    }

    private mutating func finish(_ outputs: inout [Output]) {
        state = .done
        outputs.append(.end)
    }

    private func tooLarge() -> OutboundFailure {
        OutboundFailure(.tooLarge, "the response body passed max_response_bytes (\(maxBodyBytes))")
    }

    /// The length of the head through its blank line, nil while it is incomplete.
    private mutating func headLength(_ input: UnsafeRawBufferPointer) throws(OutboundFailure) -> Int? {
        let limit = min(input.count, Self.maxHeadBytes)
        var index = max(0, scanned - 3)
        while index + 3 < limit {
            if input[index + 3] == HTTPSyntax.lf && input[index + 2] == HTTPSyntax.cr && input[index + 1] == HTTPSyntax.lf
                && input[index] == HTTPSyntax.cr
            {
                return index + 4
            }
            index += 1
        }
        scanned = limit
        if input.count >= Self.maxHeadBytes {
            throw OutboundFailure(.protocol, "response head larger than \(Self.maxHeadBytes / 1024) KiB")
        }
        return nil
    }

    /// Starts the body the head announces; a head without one ends the response at once.
    private mutating func begin(_ head: Head, into outputs: inout [Output]) throws(OutboundFailure) {
        var head = head
        let transferEncoding = head.value("transfer-encoding")?.lowercased()
        let lengths = head.values("content-length").flatMap { $0.split(separator: ",") }.map { $0.trimmingSpaces }
        let framing: Framing?
        if isHeadRequest || head.status == 204 || head.status == 304 {
            framing = nil
        } else if let transferEncoding {
            if transferEncoding.split(separator: ",").last?.trimmingSpaces == "chunked" {
                framing = .chunked(ChunkedBodyDecoder(maxBodyBytes: maxBodyBytes))
            } else {
                framing = .untilClose
            }
            // A message with both is a smuggling attempt or a broken proxy: never reuse it.
            if !lengths.isEmpty || framing.map({ if case .untilClose = $0 { true } else { false } }) == true {
                head.keepAlive = false
            }
        } else if let first = lengths.first {
            guard lengths.allSatisfy({ $0 == first }), !first.isEmpty, first.count <= 18, first.allSatisfy(\.isNumber),
                  let length = Int(first)
            else { throw OutboundFailure(.protocol, "invalid Content-Length") }
            guard length <= maxBodyBytes else {
                throw OutboundFailure(.tooLarge, "the response body (\(length) bytes) passes max_response_bytes (\(maxBodyBytes))")
            }
            framing = .length(remaining: length)
        } else {
            framing = .untilClose
            head.keepAlive = false
        }
        outputs.append(.head(head))
        switch framing {
        case nil, .length(remaining: 0)?: finish(&outputs)
        case let framing?: state = .body(framing)
        }
    }

    /// Parses a whole head; nil for an interim (1xx) response, which the final one follows.
    static func parseHead(_ bytes: UnsafeRawBufferPointer) throws(OutboundFailure) -> Head? {
        let lines = bytes.split(separator: HTTPSyntax.lf, omittingEmptySubsequences: false).dropLast(2).map { line in
            line.last == HTTPSyntax.cr ? line.dropLast() : line[...]
        }
        guard let statusLine = lines.first, statusLine.count >= 12 else {
            throw OutboundFailure(.protocol, "malformed status line")
        }
        let version = statusLine.prefix(8)
        let isHTTP11 = version.elementsEqual("HTTP/1.1".utf8)
        guard isHTTP11 || version.elementsEqual("HTTP/1.0".utf8), statusLine[statusLine.startIndex + 8] == HTTPSyntax.space,
              let status = Int(String(decoding: statusLine.dropFirst(9).prefix(3), as: UTF8.self)), (100...599).contains(status),
              statusLine.count == 12 || statusLine[statusLine.startIndex + 12] == HTTPSyntax.space
        else { throw OutboundFailure(.protocol, "malformed status line") }
        if status == 101 { throw OutboundFailure(.protocol, "unexpected 101 Switching Protocols") }
        if status < 200 { return nil }
        guard lines.count - 1 <= maxHeaderCount else { throw OutboundFailure(.protocol, "more than \(maxHeaderCount) header fields") }
        var headers: [OutboundRequest.Header] = []
        headers.reserveCapacity(lines.count - 1)
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: HTTPSyntax.colon), colon > line.startIndex,
                  line[..<colon].allSatisfy(HTTPSyntax.isTokenChar)
            else { throw OutboundFailure(.protocol, "malformed header field") }
            let value = line[(colon + 1)...].drop(while: HTTPSyntax.isWhitespace)
            let trimmed = value.reversed().drop(while: HTTPSyntax.isWhitespace).count
            let field = value.prefix(trimmed)
            guard field.allSatisfy(HTTPSyntax.isFieldValueChar) else { throw OutboundFailure(.protocol, "control character in a header") }
            headers.append(.init(name: Array(line[..<colon]), value: Array(field)))
        }
        var head = Head(status: status, headers: headers, keepAlive: isHTTP11)
        guard let connection = head.value("connection")?.lowercased() else { return head }
        let options = connection.split(separator: ",").map { $0.trimmingSpaces }
        if options.contains("close") { head.keepAlive = false }
        if options.contains("keep-alive") && !isHTTP11 { head.keepAlive = true }
        return head
    }
}

extension Substring {
    var trimmingSpaces: String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
