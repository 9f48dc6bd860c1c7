/// Matches a method and a raw path against route templates made of literal and `{param}`
/// segments. Literals win over parameters, with backtracking, so `/agents/search` and
/// `/agents/{id}` coexist. Built once at start, then read concurrently.
struct Router: Sendable {
    enum Match {
        /// `parameters` are byte ranges of the raw path, in the template's order.
        case found(Route, parameters: [Range<Int>])
        case methodNotAllowed(allow: [String])
        case notFound
    }

    struct RegistrationError: Error, CustomStringConvertible {
        let description: String
    }

    private struct Node: Sendable {
        var literals: [(segment: [UInt8], node: Int)] = []
        var parameter: Int?
        var routes: [String: Route] = [:]
    }

    private var nodes: [Node] = [Node()]
    private(set) var routes: [Route] = []

    mutating func add(_ route: Route) throws(RegistrationError) {
        let template = route.template
        guard template.hasPrefix("/") else {
            throw RegistrationError(description: "route path \"\(template)\" must start with /")
        }
        var current = 0
        for segment in template.split(separator: "/", omittingEmptySubsequences: false).dropFirst() {
            if segment.hasPrefix("{") && segment.hasSuffix("}") && segment.count > 2 {
                if let next = nodes[current].parameter {
                    current = next
                } else {
                    nodes.append(Node())
                    nodes[current].parameter = nodes.count - 1
                    current = nodes.count - 1
                }
            } else {
                guard !segment.isEmpty, !segment.contains("{"), !segment.contains("}") else {
                    throw RegistrationError(description: "route path \"\(template)\" has an invalid segment \"\(segment)\"")
                }
                let bytes = Array(segment.utf8)
                if let existing = nodes[current].literals.first(where: { $0.segment == bytes }) {
                    current = existing.node
                } else {
                    nodes.append(Node())
                    nodes[current].literals.append((bytes, nodes.count - 1))
                    current = nodes.count - 1
                }
            }
        }
        if let existing = nodes[current].routes[route.method] {
            throw RegistrationError(
                description: "\(route.method) \(template) of plugin \(route.plugin) clashes with \(existing.method) \(existing.template) of plugin \(existing.plugin)")
        }
        nodes[current].routes[route.method] = route
        routes.append(route)
    }

    /// `path` is the raw path (no query); offsets in the result are relative to `base`.
    func match(method: UnsafeRawBufferPointer, path: UnsafeRawBufferPointer, base: Int) -> Match {
        guard path.first == UInt8(ascii: "/") else { return .notFound }
        var parameters: [Range<Int>] = []
        guard let node = find(node: 0, path: path, from: 1, base: base, parameters: &parameters) else {
            return .notFound
        }
        let routes = nodes[node].routes
        if let route = routes[String(decoding: method, as: UTF8.self)] {
            return .found(route, parameters: parameters)
        }
        if method.elementsEqual("HEAD".utf8), let route = routes["GET"] {
            return .found(route, parameters: parameters)
        }
        var allow = Set(routes.keys)
        if allow.contains("GET") { allow.insert("HEAD") }
        return .methodNotAllowed(allow: allow.sorted())
    }

    /// Depth-first walk over the segments starting at `from`; returns a node with routes.
    private func find(node: Int, path: UnsafeRawBufferPointer, from: Int, base: Int,
                      parameters: inout [Range<Int>]) -> Int? {
        var end = from
        while end < path.count && path[end] != UInt8(ascii: "/") { end += 1 }
        let segment = UnsafeRawBufferPointer(rebasing: path[from..<end])
        let isLast = end >= path.count
        for literal in nodes[node].literals where literal.segment.elementsEqual(segment) {
            if isLast {
                if !nodes[literal.node].routes.isEmpty { return literal.node }
            } else if let found = find(node: literal.node, path: path, from: end + 1, base: base,
                                       parameters: &parameters) {
                return found
            }
        }
        if let parameterNode = nodes[node].parameter, !segment.isEmpty {
            parameters.append((base + from)..<(base + end))
            if isLast {
                if !nodes[parameterNode].routes.isEmpty { return parameterNode }
            } else if let found = find(node: parameterNode, path: path, from: end + 1, base: base,
                                       parameters: &parameters) {
                return found
            }
            parameters.removeLast()
        }
        return nil
    }
}
