// Expressions: table headers and key/value pairs, and the table each one lands in.
extension TOMLParserState {
    mutating func parseDocument() throws(TOMLError) {
        while true {
            skipWhitespace()
            guard let byte = peek else { return }
            switch byte {
            case UInt8(ascii: "#"):
                try skipComment()
                try expectEndOfLine(after: "a comment")
            case UInt8(ascii: "\n"), UInt8(ascii: "\r"):
                _ = try consumeNewline()
            case UInt8(ascii: "["):
                if peek(at: 1) == UInt8(ascii: "[") {
                    try parseArrayTableHeader()
                    try expectEndOfLine(after: "the array of tables header")
                } else {
                    try parseTableHeader()
                    try expectEndOfLine(after: "the table header")
                }
            default:
                try parseKeyValue(into: current, path: currentPath)
                try expectEndOfLine(after: "the value")
            }
        }
    }

    static func join(_ path: String, _ key: String) -> String {
        path.isEmpty ? TOMLDocument.formatKey(key) : path + "." + TOMLDocument.formatKey(key)
    }

    static func display(_ keys: ArraySlice<String>) -> String {
        TOMLDocument.keyPath(keys)
    }

    /// What an existing value is, for messages about redefinition.
    static func kind(of value: TOMLValue) -> String {
        value.tableValue != nil ? "an inline table, which cannot be extended" : value.typeNameWithArticle
    }

    mutating func record(_ path: String, line: Int) {
        if lines[path] == nil { lines[path] = line }
    }

    /// Walks the parents named by a header, creating missing ones.
    mutating func headerParent(_ keys: [String], headerLine: Int) throws(TOMLError) -> (TableNode, String) {
        var node = root
        var path = ""
        for (index, key) in keys.dropLast().enumerated() {
            path = Self.join(path, key)
            switch node[key] {
            case nil:
                let child = TableNode(.implicit)
                node[key] = .table(child)
                record(path, line: headerLine)
                node = child
            case .table(let child):
                node = child
            case .tableArray(let array):
                path += "[\(array.elements.count - 1)]"
                node = array.elements[array.elements.count - 1]
            case .value(let value):
                let prefix = Self.display(keys[...index])
                throw fail("cannot define [\(TOMLDocument.keyPath(keys))]: \(prefix) is already \(Self.kind(of: value)) (line \(lines[path] ?? headerLine))")
            }
        }
        return (node, path)
    }

    mutating func parseTableHeader() throws(TOMLError) {
        let headerLine = line
        position += 1  // [
        skipWhitespace()
        let keys = try parseKey()
        skipWhitespace()
        guard peek == UInt8(ascii: "]") else { throw fail("expected ']' to close the table header, found \(describeNext())") }
        position += 1

        let name = TOMLDocument.keyPath(keys)
        let (parent, parentPath) = try headerParent(keys, headerLine: headerLine)
        let key = keys[keys.count - 1]
        let path = Self.join(parentPath, key)
        let table: TableNode
        switch parent[key] {
        case nil:
            table = TableNode(.header)
            parent[key] = .table(table)
        case .table(let existing):
            switch existing.origin {
            case .implicit:
                existing.origin = .header
                table = existing
            case .dotted:
                throw fail("table [\(name)] was already defined by dotted keys on line \(lines[path] ?? headerLine)")
            case .header, .arrayElement, .root:
                throw fail("table [\(name)] is defined twice (first on line \(lines[path] ?? headerLine))")
            }
        case .tableArray:
            throw fail("cannot define table [\(name)]: it is already an array of tables ([[\(name)]])")
        case .value(let value):
            throw fail("cannot define table [\(name)]: \(name) is already \(Self.kind(of: value)) (line \(lines[path] ?? headerLine))")
        }
        lines[path] = headerLine
        current = table
        currentPath = path
    }

    mutating func parseArrayTableHeader() throws(TOMLError) {
        let headerLine = line
        position += 2  // [[
        skipWhitespace()
        let keys = try parseKey()
        skipWhitespace()
        guard peek == UInt8(ascii: "]"), peek(at: 1) == UInt8(ascii: "]") else {
            throw fail("expected ']]' to close the array of tables header, found \(describeNext())")
        }
        position += 2

        let name = TOMLDocument.keyPath(keys)
        let (parent, parentPath) = try headerParent(keys, headerLine: headerLine)
        let key = keys[keys.count - 1]
        let path = Self.join(parentPath, key)
        let element = TableNode(.arrayElement)
        switch parent[key] {
        case nil:
            parent[key] = .tableArray(TableArrayNode(element))
        case .tableArray(let array):
            array.elements.append(element)
        case .table:
            throw fail("cannot define array of tables [[\(name)]]: \(name) is already a table (line \(lines[path] ?? headerLine))")
        case .value(let value):
            throw fail("cannot define array of tables [[\(name)]]: \(name) is already \(Self.kind(of: value)) (line \(lines[path] ?? headerLine))")
        }
        guard case .tableArray(let array) = parent[key] else { preconditionFailure() }
        record(path, line: headerLine)
        let elementPath = path + "[\(array.elements.count - 1)]"
        lines[elementPath] = headerLine
        current = element
        currentPath = elementPath
    }

    /// `key = value` into `table` (whose path is `path`), with dotted keys creating tables.
    mutating func parseKeyValue(into table: TableNode, path: String) throws(TOMLError) {
        let keyLine = line
        let keys = try parseKey()
        skipWhitespace()
        guard peek == UInt8(ascii: "=") else {
            throw fail("expected '=' after the key \(TOMLDocument.keyPath(keys)), found \(describeNext())")
        }
        position += 1
        skipWhitespace()

        var node = table
        var nodePath = path
        for (index, key) in keys.dropLast().enumerated() {
            nodePath = Self.join(nodePath, key)
            switch node[key] {
            case nil:
                let child = TableNode(.dotted)
                node[key] = .table(child)
                lines[nodePath] = keyLine
                node = child
            case .table(let child):
                switch child.origin {
                case .dotted:
                    node = child
                case .implicit:
                    child.origin = .dotted
                    node = child
                case .header, .arrayElement, .root:
                    throw fail("cannot add \(TOMLDocument.keyPath(keys)) with a dotted key: table [\(nodePath)] is already defined on line \(lines[nodePath] ?? keyLine)")
                }
            case .tableArray:
                throw fail("cannot add \(TOMLDocument.keyPath(keys)) with a dotted key: \(Self.display(keys[...index])) is an array of tables")
            case .value(let value):
                throw fail("cannot add \(TOMLDocument.keyPath(keys)): \(Self.display(keys[...index])) is already \(Self.kind(of: value)) (line \(lines[nodePath] ?? keyLine))")
            }
        }
        let key = keys[keys.count - 1]
        let valuePath = Self.join(nodePath, key)
        if node[key] != nil {
            throw fail("key \(TOMLDocument.keyPath(keys)) is defined twice (first on line \(lines[valuePath] ?? keyLine))")
        }
        lines[valuePath] = keyLine
        let value = try parseValue(path: valuePath)
        node[key] = .value(value)
    }
}
