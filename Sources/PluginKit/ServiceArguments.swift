import PatternText

/// A named service's arguments (a JSON object) read the way a route reads its query
/// parameters, so one function serves both the REST route (`request.query`) and the service
/// (`arguments.query`) with the same validation and the same field names in its errors.
public struct ServiceArguments: Sendable {
    public let members: [String: JSONValue]

    /// `json` must be an object (`{}` for none).
    public init(_ json: JSONValue) throws(HTTPError) {
        guard case .object(let members) = json else { throw .validation("arguments", "must be an object") }
        self.members = members
    }

    /// The arguments as the service got them: JSON text of an object.
    public init(parsing text: [UInt8]) throws(HTTPError) {
        guard let json = JSONValue(parsing: text) else { throw .validation("arguments", "must be JSON") }
        try self.init(json)
    }

    /// Member `name` as query text: a string as is, a number or a boolean as written; nil when
    /// absent or null.
    public func query(_ name: String) throws(HTTPError) -> String? {
        switch members[name] {
        case nil, .null?: return nil
        case .string(let text)?: return text
        case .integer(let number)?: return String(number)
        case .number(let number)?: return String(number)
        case .bool(let flag)?: return flag ? "true" : "false"
        case .array?, .object?: throw .validation(name, "must be a string, a number or a boolean")
        }
    }
}
