import Foundation
import PluginKit

/// The input rules of API.md for users and keys; each throws a validation error naming the field.
enum Validation {
    static func username(_ value: String, field: String = "username") throws(HTTPError) {
        let bytes = Array(value.utf8)
        guard (3...64).contains(bytes.count) else { throw .validation(field, "must be 3 to 64 characters") }
        let allowed = bytes.allSatisfy { byte in
            (65...90).contains(byte) || (97...122).contains(byte) || (48...57).contains(byte)
                || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "-")
        }
        guard allowed else { throw .validation(field, "may contain only letters, digits, '_', '.' and '-'") }
    }

    /// The key that makes usernames unique case-insensitively (they are ASCII).
    static func usernameKey(_ username: String) -> String { username.lowercased() }

    static func password(_ value: String, field: String = "password") throws(HTTPError) {
        if let problem = PasswordHasher.problem(with: value) { throw .validation(field, problem) }
    }

    static func email(_ value: String?) throws(HTTPError) {
        guard let value else { return }
        let parts = value.split(separator: "@", omittingEmptySubsequences: false)
        guard value.utf8.count <= 254, parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty,
              !value.contains(where: { $0.isWhitespace || $0.isNewline })
        else { throw .validation("email", "must be an email address of at most 254 characters") }
    }

    static func displayName(_ value: String?) throws(HTTPError) {
        guard let value else { return }
        guard value.count <= 128, !value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw .validation("display_name", "must be at most 128 characters without control characters")
        }
    }

    static func name(_ value: String, field: String = "name") throws(HTTPError) {
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty, value.count <= 128,
              !value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
        else { throw .validation(field, "must be 1 to 128 characters without control characters") }
    }

    static func permissions(_ values: [String], field: String = "permissions") throws(HTTPError) {
        guard values.count <= Permissions.all.count * 2 else { throw .validation(field, "has too many entries") }
        for (index, value) in values.enumerated() where !Permissions.known.contains(value) {
            throw .validation("\(field)[\(index)]", "unknown permission \"\(value.prefix(64))\"; known: \(Permissions.all.joined(separator: ", "))")
        }
    }

    static func rateLimit(_ value: Int64?) throws(HTTPError) {
        guard let value else { return }
        guard (1...1_000_000).contains(value) else { throw .validation("rate_limit", "must be an integer from 1 to 1000000 (requests per minute)") }
    }
}

/// A JSON field that may be absent, `null`, or a value (PATCH semantics).
enum Patch<Value: Decodable & Sendable>: Sendable {
    case absent
    case null
    case value(Value)

    var isAbsent: Bool { if case .absent = self { true } else { false } }
}

extension KeyedDecodingContainer {
    func decodePatch<Value: Decodable & Sendable>(_ type: Value.Type, forKey key: Key) throws -> Patch<Value> {
        guard contains(key) else { return .absent }
        if try decodeNil(forKey: key) { return .null }
        return .value(try decode(Value.self, forKey: key))
    }
}
