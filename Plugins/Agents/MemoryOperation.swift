import Foundation
import PluginKit

/// The five operations of `POST /agents/{id}/memory` on core memory block `memory_key`:
/// - `append {content}`: adds a line to the block (creating it when missing);
/// - `replace {old_content, new_content}`: replaces every occurrence in the block, matched byte
///   for byte (`LiteralReplacement`);
/// - `archive {label?}`: moves the block's content to archival memory (label defaults to the
///   key) and leaves the block empty;
/// - `load_from_archival {label}`: moves the newest archival item with that label into the
///   block, replacing its content;
/// - `swap {archive_key, load_label}`: archives block `archive_key`, then loads `load_label`
///   into `memory_key` (usually the same block), in one transaction.
enum MemoryOperation: Sendable, Equatable {
    case append(content: String)
    case replace(old: String, new: String)
    case archive(label: String?)
    case loadFromArchival(label: String)
    case swap(archiveKey: String, loadLabel: String)

    static let maxKeyCharacters = 128

    /// The body's `{memory_key, operation}`. Text that could never fit a block of
    /// `maxBlockBytes` is refused here, before the block is even read.
    static func parse(_ body: JSONValue, maxBlockBytes: Int) throws(HTTPError) -> (key: String, operation: MemoryOperation) {
        let fields = try JSONFields(body)
        let key = try memoryKey(fields, "memory_key")
        let operation = try fields.requiredObject("operation")
        let type = try operation.requiredString("type")
        switch type {
        case "append":
            let content = try operation.requiredString("content")
            guard !content.isEmpty else { throw .validation(operation.field("content"), "must not be empty") }
            try fitting(content, operation, "content", maxBlockBytes)
            return (key, .append(content: content))
        case "replace":
            let old = try operation.requiredString("old_content")
            guard !old.isEmpty else { throw .validation(operation.field("old_content"), "must not be empty") }
            let new = try operation.requiredString("new_content")
            try fitting(new, operation, "new_content", maxBlockBytes)
            return (key, .replace(old: old, new: new))
        case "archive":
            return (key, .archive(label: try label(operation, "label", required: false)))
        case "load_from_archival":
            return (key, .loadFromArchival(label: try label(operation, "label", required: true) ?? ""))
        case "swap":
            return (key, .swap(archiveKey: try memoryKey(operation, "archive_key"),
                               loadLabel: try label(operation, "load_label", required: true) ?? ""))
        default:
            throw .validation(operation.field("type"),
                              "must be one of append, replace, archive, load_from_archival, swap")
        }
    }

    private static func memoryKey(_ fields: JSONFields, _ key: String) throws(HTTPError) -> String {
        let text = try fields.requiredString(key)
        guard !text.isEmpty, text.count <= maxKeyCharacters else {
            throw .validation(fields.field(key), "must be 1 to \(maxKeyCharacters) characters")
        }
        return text
    }

    private static func fitting(_ text: String, _ fields: JSONFields, _ key: String, _ maxBlockBytes: Int) throws(HTTPError) {
        guard text.utf8.count <= maxBlockBytes else {
            throw .validation(fields.field(key), "must be at most \(maxBlockBytes) bytes, the size limit of a block")
        }
    }

    private static func label(_ fields: JSONFields, _ key: String, required: Bool) throws(HTTPError) -> String? {
        let text = required ? try fields.requiredString(key) : try fields.string(key)
        if let text, text.isEmpty || text.count > maxKeyCharacters {
            throw .validation(fields.field(key), "must be 1 to \(maxKeyCharacters) characters")
        }
        return text
    }

    /// The field a too-large result is blamed on.
    var contentField: String {
        switch self {
        case .append: "operation.content"
        case .replace: "operation.new_content"
        case .archive: "operation"
        case .loadFromArchival: "operation.label"
        case .swap: "operation.load_label"
        }
    }
}

/// `If-Match` for a memory block: `3`, `"3"`, `W/"3"` or `*` (any existing block).
enum MemoryPrecondition: Sendable, Equatable {
    case version(Int64)
    case exists

    /// nil when the header is absent.
    static func parse(_ header: String?) throws(HTTPError) -> MemoryPrecondition? {
        guard var text = header?.trimmingCharacters(in: .whitespaces) else { return nil }
        if text == "*" { return .exists }
        if text.hasPrefix("W/") { text.removeFirst(2) }
        if text.count >= 2, text.hasPrefix("\""), text.hasSuffix("\"") { text = String(text.dropFirst().dropLast()) }
        guard let version = Int64(text), version >= 0 else {
            throw .validation("If-Match", "must be the block's version, e.g. \"3\"")
        }
        return .version(version)
    }

    /// Whether a block at `version` (0 = the block does not exist yet) satisfies it.
    func holds(forVersion version: Int64) -> Bool {
        switch self {
        case .exists: version > 0
        case .version(let expected): expected == version
        }
    }
}
