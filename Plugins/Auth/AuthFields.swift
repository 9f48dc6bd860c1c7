import PluginKit

/// API.md's rules for the fields of users and keys, as schemas: the bodies declare their
/// members with them, and `createUser` (also the CLI's create-admin) checks with them.
enum AuthFields {
    static let username = JSONSchema.string.length(3...64).pattern("^[A-Za-z0-9_.-]+$") { text in
        text.utf8.allSatisfy { byte in
            (65...90).contains(byte) || (97...122).contains(byte) || (48...57).contains(byte)
                || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "-")
        }
    }

    /// The check is `PasswordHasher.problem` (the CLI shares it); the keywords publish its
    /// character count and NUL rule (a byte limit has no keyword: the description says it).
    static let password = JSONSchema.string.format("password").minLength(PasswordHasher.minimumCharacters)
        .pattern(#"^[^\u0000]*$"#) { !$0.utf8.contains(0) }
        .describe("\(PasswordHasher.minimumCharacters) characters or more, at most \(PasswordHasher.maximumBytes) bytes, no NUL")
        .checked { value, path throws(HTTPError) in
            guard case .string(let text) = value else { throw .validation(path, "must be a string") }
            if let problem = PasswordHasher.problem(with: text) { throw .validation(path, problem) }
        }

    static let email = JSONSchema.string.maxLength(254).pattern(#"^[^@\s]+@[^@\s]+$"#) { text in
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].isEmpty && !parts[1].isEmpty && !text.contains(where: \.isWhitespace)
    }

    static let displayName = JSONSchema.string.maxLength(128).printable()
    static let keyName = JSONSchema.string.length(1...128).printable().nonBlank()
    static let permissions = JSONSchema.array(JSONSchema.string.oneOf(Permissions.all)).maxItems(Permissions.all.count * 2)
    static let rateLimit = Int.schema.range(1...1_000_000).describe("Requests per minute")

    /// `value` checked against `schema`, problems naming `field`.
    static func check(_ value: String?, _ schema: JSONSchema, _ field: String) throws(HTTPError) {
        if let value { try schema.check(.string(value), at: field) }
    }

    /// The key that makes usernames unique case-insensitively (they are ASCII).
    static func usernameKey(_ username: String) -> String { username.lowercased() }
}

extension PageRequest {
    /// `ORDER BY <column> ASC|DESC, id …` for `sortBy` through `columns` (API name → SQL
    /// column); the id breaks ties so pages never overlap.
    func orderClause(_ columns: [String: String]) -> String {
        let direction = sortDescending ? "DESC" : "ASC"
        return "ORDER BY \(columns[sortBy] ?? "created_at") \(direction), id \(direction)"
    }
}
