/// A table while the file is being read, with how it came to exist (which decides what may
/// still be added to it).
final class TableNode {
    enum Origin {
        /// The document root.
        case root
        /// Created as a parent of a `[header]` that named a deeper table; may still get its own header.
        case implicit
        /// Defined by its own `[header]`.
        case header
        /// Created by a dotted key (`a.b = 1` creates `a`).
        case dotted
        /// An element of an array of tables (`[[name]]`).
        case arrayElement
    }

    enum Entry {
        case value(TOMLValue)
        case table(TableNode)
        case tableArray(TableArrayNode)
    }

    var origin: Origin
    private var keys: [String] = []
    private var entries: [String: Entry] = [:]

    init(_ origin: Origin) { self.origin = origin }

    subscript(key: String) -> Entry? {
        get { entries[key] }
        set {
            if entries.updateValue(newValue!, forKey: key) == nil { keys.append(key) }
        }
    }

    func table() -> TOMLTable {
        var table = TOMLTable()
        for key in keys {
            switch entries[key]! {
            case .value(let value): table[key] = value
            case .table(let node): table[key] = .table(node.table())
            case .tableArray(let array): table[key] = .array(array.elements.map { .table($0.table()) })
            }
        }
        return table
    }
}

final class TableArrayNode {
    var elements: [TableNode]
    init(_ first: TableNode) { elements = [first] }
}
