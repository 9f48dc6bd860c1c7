import PatternText

/// A request's JSON body as C plugins read it through the `json` sub-table (ABI 1.6): the
/// parsed value, the nodes handed out so far (each with its path from the body, so a problem
/// names its field), and the problems recorded until `json->check` answers them.
/// Owned by its request's context, so by one thread at a time.
final class JSONBodyReader {
    struct Node {
        let value: JSONValue
        /// "" for the body itself, else "title", "author.name", "tags[2]".
        let path: String
    }

    struct Problem {
        let field: String
        let message: String
    }

    /// Node n (n >= 1) is `nodes[n - 1]`: 0 is never a node.
    private var nodes: [Node]
    private(set) var problems: [Problem] = []
    let root: UInt32 = 1

    init(body: JSONValue) {
        nodes = [Node(value: body, path: "")]
    }

    func node(_ handle: UInt32) -> Node? {
        handle >= 1 && Int(handle) <= nodes.count ? nodes[Int(handle) - 1] : nil
    }

    func add(_ node: Node) -> UInt32 {
        nodes.append(node)
        return UInt32(nodes.count)
    }

    /// What a problem about the body itself is called.
    static func fieldName(_ path: String) -> String { path.isEmpty ? "body" : path }

    static func memberPath(_ parent: String, _ key: String) -> String { parent.isEmpty ? key : parent + "." + key }

    func record(_ path: String, _ message: String) {
        problems.append(Problem(field: Self.fieldName(path), message: message))
    }

    /// For a problem every read of a node's members would repeat ("must be an object").
    func recordOnce(_ path: String, _ message: String) {
        let field = Self.fieldName(path)
        guard !problems.contains(where: { $0.field == field && $0.message == message }) else { return }
        problems.append(Problem(field: field, message: message))
    }
}
