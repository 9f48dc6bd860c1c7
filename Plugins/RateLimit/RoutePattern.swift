import Glibc

/// Which requests a policy covers: an optional method and a path pattern matched against the
/// request's path, segment by segment. `{name}` and `*` match one segment, a final `**` any
/// rest (including nothing): "POST /api/v1/users", "/api/v1/auth/**", "/api/v1/agents/{id}".
/// Matching works on the request's borrowed bytes, so the request path builds no String.
struct RoutePattern: Sendable, Equatable, CustomStringConvertible {
    enum Segment: Sendable, Equatable {
        case literal([UInt8])
        case any
    }

    let method: [UInt8]?
    let segments: [Segment]
    let matchesRest: Bool
    let description: String
    /// More literal segments are more specific; then more segments; an open end is least.
    let specificity: Int

    init?(_ text: String) {
        description = text
        let parts = text.split(separator: " ", omittingEmptySubsequences: true)
        guard (1...2).contains(parts.count) else { return nil }
        method = parts.count == 2 ? Array(parts[0].uppercased().utf8) : nil
        let path = parts[parts.count - 1]
        guard path.hasPrefix("/") else { return nil }
        var pieces = path.split(separator: "/").map(String.init)
        matchesRest = pieces.last == "**"
        if matchesRest { pieces.removeLast() }
        guard !pieces.contains("**") else { return nil }
        segments = pieces.map { piece in
            piece == "*" || (piece.hasPrefix("{") && piece.hasSuffix("}")) ? .any : .literal(Array(piece.utf8))
        }
        specificity = segments.reduce(0) { $0 + ($1 == .any ? 1 : 100) } * 10 + (matchesRest ? 0 : 5)
            + (method == nil ? 0 : 1)
    }

    /// The one path this pattern matches when it has no method and no wildcard, e.g. an exempt
    /// "/api/v1/health": such patterns are checked by comparing bytes.
    var exactPath: [UInt8]? {
        guard method == nil, !matchesRest else { return nil }
        var path: [UInt8] = []
        for segment in segments {
            guard case .literal(let bytes) = segment else { return nil }
            path += [UInt8(ascii: "/")] + bytes
        }
        return path.isEmpty ? [UInt8(ascii: "/")] : path
    }


    /// A GET pattern also covers HEAD. Walks the path's segments as it compares them.
    func matches(method requestMethod: UnsafeRawBufferPointer, path: UnsafeRawBufferPointer) -> Bool {
        if let method, !Self.equal(method, requestMethod),
           !(method == Self.get && Self.equal(Self.head, requestMethod)) { return false }
        var actual = PathSegments(path)
        for segment in segments {
            guard let next = actual.next() else { return false }
            if case .literal(let bytes) = segment, !Self.equal(bytes, next) { return false }
        }
        return matchesRest || actual.next() == nil
    }

    /// Byte equality by length and memcmp: this runs several times per request.
    static func equal(_ bytes: [UInt8], _ other: UnsafeRawBufferPointer) -> Bool {
        guard bytes.count == other.count else { return false }
        guard let base = other.baseAddress else { return true }
        return bytes.withUnsafeBytes { memcmp($0.baseAddress!, base, other.count) == 0 }
    }

    private static let get = Array("GET".utf8)
    private static let head = Array("HEAD".utf8)
}
