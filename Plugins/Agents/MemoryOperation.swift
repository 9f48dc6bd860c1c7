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
enum MemoryOperation: SchemaValue, Equatable {
    case append(content: String)
    case replace(old: String, new: String)
    case archive(label: String?)
    case loadFromArchival(label: String)
    case swap(archiveKey: String, loadLabel: String)

    static let maxKeyCharacters = 128
    static let key = JSONSchema.string.length(1...maxKeyCharacters)

    static let schema = JSONSchema.oneOf([
        .tagged("type", "append", [.property("content", JSONSchema.string.nonEmpty())]),
        .tagged("type", "replace", [.property("old_content", JSONSchema.string.nonEmpty()),
                                    .property("new_content", .string)]),
        .tagged("type", "archive", [.property("label", key, required: false)]),
        .tagged("type", "load_from_archival", [.property("label", key)]),
        .tagged("type", "swap", [.property("archive_key", key), .property("load_label", key)]),
    ])

    init(checked json: JSONValue) {
        let members = json.objectValue ?? [:]
        let text = { (key: String) in members[key]?.stringValue ?? "" }
        switch text("type") {
        case "append": self = .append(content: text("content"))
        case "replace": self = .replace(old: text("old_content"), new: text("new_content"))
        case "load_from_archival": self = .loadFromArchival(label: text("label"))
        case "swap": self = .swap(archiveKey: text("archive_key"), loadLabel: text("load_label"))
        default: self = .archive(label: members["label"]?.stringValue)
        }
    }

    var json: JSONValue {
        switch self {
        case .append(let content): ["type": "append", "content": .string(content)]
        case .replace(let old, let new): ["type": "replace", "old_content": .string(old), "new_content": .string(new)]
        case .archive(let label): ["type": "archive", "label": label.map { .string($0) } ?? .null]
        case .loadFromArchival(let label): ["type": "load_from_archival", "label": .string(label)]
        case .swap(let key, let label): ["type": "swap", "archive_key": .string(key), "load_label": .string(label)]
        }
    }

    /// Refuses text that could never fit a block of `maxBlockBytes`, before the block is even read.
    func fits(maxBlockBytes: Int) throws(HTTPError) {
        switch self {
        case .append(let text), .replace(_, let text):
            guard text.utf8.count <= maxBlockBytes else {
                throw .validation(contentField, "must be at most \(maxBlockBytes) bytes, the size limit of a block")
            }
        default: break
        }
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

/// The body of `POST /agents/{id}/memory`.
struct MemoryChange: JSONObject {
    var memoryKey = ""
    var operation = MemoryOperation.archive(label: nil)

    static let fields: [JSONField<Self>] = [
        JSONField("memory_key", \.memoryKey, required: true) { _ in MemoryOperation.key },
        JSONField("operation", \.operation, required: true),
    ]
}

/// `If-Match` for a memory block: `3`, `"3"`, `W/"3"` or `*` (any existing block).
enum MemoryPrecondition: Sendable, Equatable {
    case version(Int64)
    case exists

    /// The header as published; `parse` accepts exactly what it matches (18 digits always fit an Int64).
    static let schema = JSONSchema.string.pattern(#"^(\*|[0-9]{1,18}|(W/)?"[0-9]{1,18}")$"#) { (try? parse($0)) != nil }
        .describe("The version the change applies to (0: a new block), as 3, \"3\" or W/\"3\"; * for any existing "
                  + "block; 409 otherwise")

    /// nil when the header is absent.
    static func parse(_ header: String?) throws(HTTPError) -> MemoryPrecondition? {
        guard var text = header else { return nil }
        if text == "*" { return .exists }
        if text.hasPrefix("W/\"") { text.removeFirst(2) }
        if text.count >= 2, text.hasPrefix("\""), text.hasSuffix("\"") { text = String(text.dropFirst().dropLast()) }
        guard (1...18).contains(text.utf8.count), text.utf8.allSatisfy({ (48...57).contains($0) }), let version = Int64(text)
        else { throw .validation("If-Match", "must be the block's version, e.g. \"3\"") }
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
