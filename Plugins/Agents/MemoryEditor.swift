import Foundation
import PluginKit

/// Applies a memory operation to one agent's block in one write transaction: the
/// `If-Match` check, the new content, the archival side effects and the conditional write
/// all commit together or not at all, so concurrent updates of one version serialise and
/// exactly one of them wins.
struct MemoryEditor: Sendable {
    let agents: AgentStore
    let memory: MemoryStore
    let maxBlockBytes: Int

    struct Outcome: Sendable {
        var block: MemoryBlock
        /// True when archival memory changed too (archive, load, swap).
        var archivalChanged: Bool
    }

    func apply(agentID: String, ownerID: String, key: String, operation: MemoryOperation,
               precondition: MemoryPrecondition?) throws(HTTPError) -> Outcome {
        try HTTPError.mapping {
            try memory.database.transaction { transaction in
                try apply(agentID, ownerID, key, operation, precondition, transaction)
            }
        }
    }

    private func apply(_ agentID: String, _ ownerID: String, _ key: String, _ operation: MemoryOperation,
                       _ precondition: MemoryPrecondition?, _ transaction: DatabaseClient.Transaction) throws -> Outcome {
        guard try agents.exists(id: agentID, ownerID: ownerID, in: transaction) else {
            throw HTTPError.notFound("No agent with this id.")
        }
        let current = try memory.block(agentID: agentID, key: key, in: transaction)
        if let precondition, !precondition.holds(forVersion: current?.version ?? 0) {
            throw HTTPError.conflict("The memory block \"\(key)\" is at version \(current?.version ?? 0); "
                                     + "If-Match named another. Read it again and retry.")
        }
        let now = Timestamp.rfc3339(Date())
        var archivalChanged = false
        // Each case checks the new content's size before it builds it.
        let content: String
        switch operation {
        case .append(let text):
            let existing = current?.content ?? ""
            try requireFitting(existing.utf8.count + (existing.isEmpty ? 0 : 1) + text.utf8.count, operation)
            content = existing.isEmpty ? text : existing + "\n" + text
        case .replace(let old, let new):
            guard let current else { throw Self.missingBlock(key) }
            let replacement = LiteralReplacement(old: old, new: new)
            guard let size = replacement.resultSize(of: current.content, limit: maxBlockBytes) else {
                throw HTTPError.validation("operation.old_content", "does not occur in the block")
            }
            try requireFitting(size, operation)
            content = replacement.apply(to: current.content, size: size)
        case .archive(let label):
            guard let current else { throw Self.missingBlock(key) }
            guard !current.content.isEmpty else { throw HTTPError.validation("memory_key", "the block is empty") }
            try archive(current, label: label ?? key, at: now, transaction)
            archivalChanged = true
            content = ""
        case .loadFromArchival(let label):
            let item = try take(agentID, label, transaction)
            try requireFitting(item.content.utf8.count, operation)
            content = item.content
            archivalChanged = true
        case .swap(let archiveKey, let loadLabel):
            // Take the item first, so the content archived below can never be loaded straight back.
            let item = try take(agentID, loadLabel, transaction)
            try requireFitting(item.content.utf8.count, operation)
            let source = archiveKey == key ? current : try memory.block(agentID: agentID, key: archiveKey, in: transaction)
            guard let source else { throw Self.missingBlock(archiveKey) }
            if !source.content.isEmpty { try archive(source, label: archiveKey, at: now, transaction) }
            if archiveKey != key {
                _ = try write(MemoryBlock(agentID: agentID, memoryKey: archiveKey, memoryType: "core", content: "",
                                      version: 0, createdAt: now, updatedAt: now), replacing: source, transaction)
            }
            archivalChanged = true
            content = item.content
        }
        let block = try write(MemoryBlock(agentID: agentID, memoryKey: key, memoryType: "core", content: content,
                                          version: 0, createdAt: now, updatedAt: now), replacing: current, transaction)
        return Outcome(block: block, archivalChanged: archivalChanged)
    }

    /// A block of `size` bytes (a lower bound when past the limit) must fit the limit.
    private func requireFitting(_ size: Int, _ operation: MemoryOperation) throws(HTTPError) {
        guard size <= maxBlockBytes else {
            throw HTTPError.validation(operation.contentField, "would make the block more than \(maxBlockBytes) bytes, its limit")
        }
    }

    private func write(_ block: MemoryBlock, replacing previous: MemoryBlock?, _ transaction: DatabaseClient.Transaction)
        throws -> MemoryBlock
    {
        guard let written = try memory.write(block, replacing: previous, in: transaction) else {
            throw HTTPError.conflict("The memory block \"\(block.memoryKey)\" changed meanwhile; read it again and retry.")
        }
        return written
    }

    private func archive(_ block: MemoryBlock, label: String, at now: String, _ transaction: DatabaseClient.Transaction) throws {
        let item = ArchivalItem(id: ResourceID.make("arch"), label: label, content: block.content, createdAt: now,
                                metadata: ["memory_key": .string(block.memoryKey), "version": .integer(block.version)])
        try memory.insertArchival(item, agentID: block.agentID, in: transaction)
    }

    private func take(_ agentID: String, _ label: String, _ transaction: DatabaseClient.Transaction)
        throws -> ArchivalItem
    {
        guard let item = try memory.takeArchival(agentID: agentID, label: label, in: transaction) else {
            throw HTTPError.notFound("No archival memory item is labelled \"\(label)\".")
        }
        return item
    }

    private static func missingBlock(_ key: String) -> HTTPError {
        HTTPError.notFound("The agent has no memory block \"\(key)\".")
    }
}
