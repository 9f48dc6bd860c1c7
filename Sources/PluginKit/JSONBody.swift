import Foundation
import PatternText
import Synchronization

/// Decoding request bodies with API.md's errors: 415 for a non-JSON content type,
/// `json_error` for malformed or too deeply nested JSON, `validation_error` naming the field
/// for a missing or mistyped one. Unknown fields are ignored (Decodable does that).
enum JSONBody {
    /// `[limits] max_json_depth`, read from the host when the plugin starts.
    static var maxDepth: Int { configuredMaxDepth.load(ordering: .relaxed) }
    static let configuredMaxDepth = Atomic<Int>(64)

    /// Whether `bytes` nest deeper than `maxDepth` (then they are refused unparsed).
    static func isTooDeep(_ bytes: [UInt8]) -> Bool { JSONNesting.depth(of: bytes) > maxDepth }

    static var tooDeep: HTTPError {
        HTTPError(status: 400, type: "json_error", message: "JSON nests deeper than \(maxDepth) levels.")
    }

    static func decode<Body: Decodable>(_ type: Body.Type, contentType: String?, body: [UInt8]) throws(HTTPError)
        -> Body
    {
        guard let contentType, JSONMediaType.matches(contentType) else {
            throw HTTPError(status: 415, type: "unsupported_media_type",
                            message: "Send the body as application/json.")
        }
        guard !isTooDeep(body) else { throw tooDeep }
        do {
            return try JSONDecoder().decode(Body.self, from: Data(body))
        } catch let error as DecodingError {
            throw problem(error)
        } catch {
            throw HTTPError(status: 400, type: "json_error", message: "The body is not valid JSON.")
        }
    }

    private static func problem(_ error: DecodingError) -> HTTPError {
        switch error {
        case .keyNotFound(let key, let context):
            return .validation(path(context.codingPath + [key]), "is required")
        case .valueNotFound(_, let context):
            return .validation(path(context.codingPath), "must not be null")
        case .typeMismatch(let expected, let context):
            return .validation(path(context.codingPath), "must be \(describe(expected))")
        case .dataCorrupted(let context) where !context.codingPath.isEmpty:
            return .validation(path(context.codingPath), context.debugDescription)
        default:
            return HTTPError(status: 400, type: "json_error", message: "The body is not valid JSON.")
        }
    }

    private static func path(_ keys: [any CodingKey]) -> String {
        keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
            .replacingOccurrences(of: ".[", with: "[")
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Bool.Type: "a boolean"
        case is Int.Type, is Int64.Type, is Int32.Type, is UInt.Type: "an integer"
        case is Double.Type, is Float.Type: "a number"
        case is [Any].Type: "an array"
        default: "of type \(type)"
        }
    }
}
