// The rows of one statement, kept in one contiguous allocation so the plugin ABI can lend
// out (pointer, length) views of text, blobs and column names that stay valid until the
// plugin releases the result.
import CSQLite
import Foundation

/// A borrowed view of one value. `type` uses the PATTERN_VALUE_* numbers (0 null, 1 integer,
/// 2 real, 3 text, 4 blob). For text and blobs `bytes` points into the result set's arena
/// (never NULL, even when empty; text is followed by a NUL byte not counted in its length)
/// and stays valid as long as the ResultSet lives.
struct ResultCell {
    var type: Int32
    var integer: Int64
    var real: Double
    var bytes: UnsafeRawBufferPointer

    static let null: Int32 = 0
    static let integerType: Int32 = 1
    static let realType: Int32 = 2
    static let textType: Int32 = 3
    static let blobType: Int32 = 4
}

/// One stored value: the integer, the real's bit pattern, or (text, blob) an arena offset.
private struct Slot {
    var type: Int32
    var bits: Int64
    var length: Int
}

/// Immutable once built: the arena is written only by `ResultSetBuilder` before `init`, and
/// freed only in `deinit`.
final class ResultSet: @unchecked Sendable { // immutable after init; the arena pointer is never written again
    let rowCount: Int
    let columnCount: Int
    /// Rows changed by the statement (0 for read-only statements).
    let changes: Int64
    /// sqlite3_last_insert_rowid after the statement (meaningful after an INSERT only).
    let lastInsertRowID: Int64

    private let arena: UnsafeMutableRawPointer
    /// `columnCount` column-name slots, then the cells row by row.
    private let slots: [Slot]

    fileprivate init(arena: UnsafeMutableRawPointer, slots: [Slot], rowCount: Int, columnCount: Int,
                     changes: Int64, lastInsertRowID: Int64) {
        self.arena = arena
        self.slots = slots
        self.rowCount = rowCount
        self.columnCount = columnCount
        self.changes = changes
        self.lastInsertRowID = lastInsertRowID
    }

    deinit { free(arena) }

    var columnNames: [String] {
        (0..<columnCount).map { String(decoding: columnNameBytes($0), as: UTF8.self) }
    }

    /// The column's name as UTF-8 (NUL-terminated just past the view), valid while self lives.
    func columnNameBytes(_ column: Int) -> UnsafeRawBufferPointer {
        precondition(column >= 0 && column < columnCount, "column \(column) out of range")
        let slot = slots[column]
        return UnsafeRawBufferPointer(start: arena + Int(slot.bits), count: slot.length)
    }

    /// The zero-copy view of a value. Traps when out of range: the ABI layer checks first.
    func cell(row: Int, column: Int) -> ResultCell {
        precondition(row >= 0 && row < rowCount && column >= 0 && column < columnCount,
                     "cell (\(row), \(column)) out of range")
        let slot = slots[columnCount &+ row &* columnCount &+ column]
        switch slot.type {
        case ResultCell.integerType:
            return ResultCell(type: slot.type, integer: slot.bits, real: 0, bytes: UnsafeRawBufferPointer(start: nil, count: 0))
        case ResultCell.realType:
            return ResultCell(type: slot.type, integer: 0, real: Double(bitPattern: UInt64(bitPattern: slot.bits)),
                              bytes: UnsafeRawBufferPointer(start: nil, count: 0))
        case ResultCell.textType, ResultCell.blobType:
            return ResultCell(type: slot.type, integer: 0, real: 0,
                              bytes: UnsafeRawBufferPointer(start: arena + Int(slot.bits), count: slot.length))
        default:
            return ResultCell(type: ResultCell.null, integer: 0, real: 0, bytes: UnsafeRawBufferPointer(start: nil, count: 0))
        }
    }

    /// A copied value, for Swift callers.
    func value(row: Int, column: Int) -> DatabaseValue {
        let cell = cell(row: row, column: column)
        switch cell.type {
        case ResultCell.integerType: return .integer(cell.integer)
        case ResultCell.realType: return .real(cell.real)
        case ResultCell.textType: return .text(String(decoding: cell.bytes, as: UTF8.self))
        case ResultCell.blobType: return .blob(Array(cell.bytes))
        default: return .null
        }
    }

    /// A copied value by column name (first match), nil when there is no such column.
    func value(row: Int, column name: String) -> DatabaseValue? {
        guard let column = (0..<columnCount).first(where: {
            columnNameBytes($0).elementsEqual(name.utf8)
        }) else { return nil }
        return value(row: row, column: column)
    }
}

/// Collects a statement's rows into a growing arena, then hands it to a ResultSet.
/// Call exactly one of `finish` or `discard`.
struct ResultSetBuilder {
    private var arena: UnsafeMutableRawPointer
    private var size = 0
    private var capacity: Int
    private var slots: [Slot] = []
    private let columnCount: Int
    private var rowCount = 0

    init(statement: OpaquePointer) {
        columnCount = Int(sqlite3_column_count(statement))
        capacity = 64 + columnCount * 32
        guard let memory = malloc(capacity) else { fatalError("out of memory for a result set") }
        arena = memory
        slots.reserveCapacity(columnCount * 2)
        for column in 0..<columnCount {
            let name = sqlite3_column_name(statement, Int32(column))
            let length = name.map { strlen($0) } ?? 0
            slots.append(appendBytes(UnsafeRawPointer(name), length, type: ResultCell.textType))
        }
    }

    private mutating func appendBytes(_ bytes: UnsafeRawPointer?, _ count: Int, type: Int32) -> Slot {
        let needed = size + count + 1
        if needed > capacity {
            var newCapacity = capacity * 2
            while newCapacity < needed { newCapacity *= 2 }
            guard let grown = realloc(arena, newCapacity) else { fatalError("out of memory for a result set") }
            arena = grown
            capacity = newCapacity
        }
        let offset = size
        if count > 0, let bytes { (arena + offset).copyMemory(from: bytes, byteCount: count) }
        arena.storeBytes(of: 0, toByteOffset: offset + count, as: UInt8.self)
        size = needed
        return Slot(type: type, bits: Int64(offset), length: count)
    }

    /// Appends the statement's current row (after sqlite3_step returned SQLITE_ROW).
    mutating func appendRow(_ statement: OpaquePointer) {
        for column in 0..<Int32(columnCount) {
            switch sqlite3_column_type(statement, column) {
            case SQLITE_INTEGER:
                slots.append(Slot(type: ResultCell.integerType, bits: sqlite3_column_int64(statement, column), length: 0))
            case SQLITE_FLOAT:
                let real = sqlite3_column_double(statement, column)
                slots.append(Slot(type: ResultCell.realType, bits: Int64(bitPattern: real.bitPattern), length: 0))
            case SQLITE_TEXT:
                let text = sqlite3_column_text(statement, column) // before _bytes, as SQLite asks
                let count = Int(sqlite3_column_bytes(statement, column))
                slots.append(appendBytes(UnsafeRawPointer(text), count, type: ResultCell.textType))
            case SQLITE_BLOB:
                let blob = sqlite3_column_blob(statement, column)
                let count = Int(sqlite3_column_bytes(statement, column))
                slots.append(appendBytes(blob, count, type: ResultCell.blobType))
            default:
                slots.append(Slot(type: ResultCell.null, bits: 0, length: 0))
            }
        }
        rowCount += 1
    }

    consuming func finish(changes: Int64, lastInsertRowID: Int64) -> ResultSet {
        ResultSet(arena: arena, slots: slots, rowCount: rowCount, columnCount: columnCount,
                  changes: changes, lastInsertRowID: lastInsertRowID)
    }

    consuming func discard() { free(arena) }
}
