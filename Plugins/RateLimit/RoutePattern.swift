/// Which requests a policy covers: an optional method and a path pattern matched against the
/// request's path, segment by segment. `{name}` and `*` match one segment, a final `**` any
/// rest (including nothing): "POST /api/v1/users", "/api/v1/auth/**", "/api/v1/agents/{id}".
struct RoutePattern: Sendable, Equatable, CustomStringConvertible {
    enum Segment: Sendable, Equatable {
        case literal([UInt8])
        case any
    }

    let method: String?
    let segments: [Segment]
    let matchesRest: Bool
    let description: String

    init?(_ text: String) {
        description = text
        let parts = text.split(separator: " ", omittingEmptySubsequences: true)
        guard (1...2).contains(parts.count) else { return nil }
        method = parts.count == 2 ? parts[0].uppercased() : nil
        let path = parts[parts.count - 1]
        guard path.hasPrefix("/") else { return nil }
        var pieces = path.split(separator: "/").map(String.init)
        matchesRest = pieces.last == "**"
        if matchesRest { pieces.removeLast() }
        guard !pieces.contains("**") else { return nil }
        segments = pieces.map { piece in
            piece == "*" || (piece.hasPrefix("{") && piece.hasSuffix("}")) ? .any : .literal(Array(piece.utf8))
        }
    }

    /// The one path this pattern matches when it has no method and no wildcard, e.g. an exempt
    /// "/api/v1/health": such patterns are checked by plain string equality.
    var exactPath: String? {
        guard method == nil, !matchesRest else { return nil }
        var path = ""
        for segment in segments {
            guard case .literal(let bytes) = segment else { return nil }
            path += "/" + String(decoding: bytes, as: UTF8.self)
        }
        return path.isEmpty ? "/" : path
    }

    /// More literal segments are more specific; then more segments; an open end is least.
    var specificity: Int {
        segments.reduce(0) { $0 + ($1 == .any ? 1 : 100) } * 10 + (matchesRest ? 0 : 5) + (method == nil ? 0 : 1)
    }

    func matches(method requestMethod: String, pathSegments: [Substring.UTF8View]) -> Bool {
        if let method, method != requestMethod && !(method == "GET" && requestMethod == "HEAD") { return false }
        guard matchesRest ? pathSegments.count >= segments.count : pathSegments.count == segments.count else {
            return false
        }
        for (segment, actual) in zip(segments, pathSegments) {
            if case .literal(let bytes) = segment, !bytes.elementsEqual(actual) { return false }
        }
        return true
    }

    /// A request path's segments, ignoring empty ones ("/a//b/" is a, b).
    static func segments(of path: String) -> [Substring.UTF8View] {
        Substring(path).utf8.split(separator: UInt8(ascii: "/"))
    }
}
