import Foundation
import PluginKit

/// The chat's built-in memory tools, run for an agent through "agents.v1": `block_edit`
/// (core memory), `recall` (archival insert and search) and the archival half of `search`.
/// What the model got wrong (a missing block, a missing argument) comes back as an error
/// answer it can read and act on; only the database failing is an error of the call.
struct MemoryTools: Sendable {
    let memory: MemoryStore
    let editor: MemoryEditor
    let events: AgentEvents

    /// Most archival items one search returns to the model.
    static let maxSearchResults = 20

    struct Call: Sendable {
        var agentID: String
        var ownerID: String
        var tool: String
        var arguments: JSONValue

        init?(json: String) {
            guard let value = JSONValue(parsing: json), let agentID = value["agent_id"]?.stringValue,
                  let ownerID = value["owner_id"]?.stringValue, let tool = value["tool"]?.stringValue
            else { return nil }
            self.agentID = agentID
            self.ownerID = ownerID
            self.tool = tool
            arguments = value["arguments"] ?? [:]
        }
    }

    struct Answer: Sendable {
        var result: String
        var isError: Bool

        static func error(_ message: String) -> Answer { Answer(result: message, isError: true) }
    }

    func run(_ call: Call) throws(DatabaseFailure) -> Answer {
        do {
            let fields = try JSONFields(call.arguments, path: "arguments")
            switch call.tool {
            case "block_edit": return try blockEdit(call, fields)
            case "recall": return try recall(call, fields)
            case "search_archival": return try search(call.agentID, fields)
            default: return .error("Unknown memory tool \"\(call.tool)\".")
            }
        } catch let failure as DatabaseFailure {
            throw failure
        } catch let error as HTTPError {
            return .error(error.message)
        } catch {
            return .error("The tool failed.")
        }
    }

    private func blockEdit(_ call: Call, _ fields: JSONFields) throws -> Answer {
        let label = try fields.requiredString("label")
        guard !label.isEmpty, label.count <= MemoryOperation.maxKeyCharacters else {
            return .error("label must be 1 to \(MemoryOperation.maxKeyCharacters) characters.")
        }
        let content = try fields.requiredString("content")
        let operation: MemoryOperation
        switch try fields.requiredString("operation") {
        case "append":
            guard !content.isEmpty else { return .error("content must not be empty.") }
            operation = .append(content: content)
        case "replace":
            let old = try fields.requiredString("old_content")
            guard !old.isEmpty else { return .error("old_content must not be empty.") }
            operation = .replace(old: old, new: content)
        default:
            return .error("operation must be \"append\" or \"replace\".")
        }
        let outcome = try editor.apply(agentID: call.agentID, ownerID: call.ownerID, key: label, operation: operation,
                                       precondition: nil)
        events.memoryUpdated(agentID: call.agentID, memoryType: "core")
        return Answer(result: "Memory block \"\(label)\" updated (version \(outcome.block.version)): "
                      + outcome.block.content, isError: false)
    }

    private func recall(_ call: Call, _ fields: JSONFields) throws -> Answer {
        switch try fields.requiredString("op") {
        case "insert":
            let content = try fields.requiredString("content")
            guard !content.isEmpty else { return .error("content must not be empty.") }
            guard content.utf8.count <= editor.maxBlockBytes else {
                return .error("content must be at most \(editor.maxBlockBytes) bytes.")
            }
            let item = ArchivalItem(id: ResourceID.make("arch"), label: nil, content: content,
                                    createdAt: Timestamp.rfc3339(Date()), metadata: ["source": "recall"])
            try memory.database.transaction { transaction in
                try memory.insertArchival(item, agentID: call.agentID, in: transaction)
            }
            events.memoryUpdated(agentID: call.agentID, memoryType: "archival")
            return Answer(result: "Stored in archival memory as \(item.id).", isError: false)
        case "search":
            return try search(call.agentID, fields)
        default:
            return .error("op must be \"insert\" or \"search\".")
        }
    }

    /// Archival items matching `query`, best first, as a JSON array the model can read.
    private func search(_ agentID: String, _ fields: JSONFields) throws -> Answer {
        let query = try fields.requiredString("query")
        guard SearchIndex.matchExpression(query) != nil else { return .error("query must contain a word.") }
        let limit = Int(max(1, min(try fields.integer("limit") ?? 5, Int64(Self.maxSearchResults))))
        let page = PageRequest(limit: limit, sortBy: "created_at")
        let items = try memory.archival(agentID: agentID, query: query, page: page).items
        let found: [JSONValue] = items.map {
            ["id": .string($0.id), "label": $0.label.json, "content": .string($0.content),
             "created_at": .string($0.createdAt)]
        }
        return Answer(result: JSONValue.array(found).jsonText, isError: false)
    }
}
