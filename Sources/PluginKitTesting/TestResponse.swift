import Foundation

/// What a plugin answered a test request: status, headers and body, with JSON accessors.
public struct TestResponse: Sendable {
    public let status: Int
    public let headers: [(name: String, value: String)]
    public let body: [UInt8]
    /// The plugin aborted its deferred or streamed response: a client would see it cut short.
    public let aborted: Bool

    /// The first header with this name (case-insensitive).
    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    public var text: String { String(decoding: body, as: UTF8.self) }

    /// The body parsed as JSON (nil when it is not JSON).
    public var json: Any? { try? JSONSerialization.jsonObject(with: Data(body), options: [.fragmentsAllowed]) }

    /// The body as a JSON object (empty when it is not one).
    public var object: [String: Any] { json as? [String: Any] ?? [:] }

    /// The body as a JSON array (empty when it is not one).
    public var array: [Any] { json as? [Any] ?? [] }

    /// The `type` of a standard error body, e.g. "validation_error".
    public var errorType: String? { (object["error"] as? [String: Any])?["type"] as? String }

    /// The field names a validation error names (`error.fields[].field`, or the message's
    /// "field: why" prefix when there is no list).
    public var errorFields: [String] {
        guard let error = object["error"] as? [String: Any] else { return [] }
        if let fields = error["fields"] as? [[String: Any]] { return fields.compactMap { $0["field"] as? String } }
        guard let message = error["message"] as? String, let colon = message.firstIndex(of: ":") else { return [] }
        return [String(message[..<colon])]
    }

    public func decode<T: Decodable>(_ type: T.Type) throws -> T { try JSONDecoder().decode(type, from: Data(body)) }
}
