/// A request path's segments, ignoring empty ones ("/a//b/" is a, b), found one at a time
/// without building an array.
struct PathSegments: IteratorProtocol {
    private let path: UnsafeRawBufferPointer
    private var position = 0

    init(_ path: UnsafeRawBufferPointer) { self.path = path }

    mutating func next() -> UnsafeRawBufferPointer? {
        let slash = UInt8(ascii: "/")
        while position < path.count, path[position] == slash { position += 1 }
        guard position < path.count else { return nil }
        let start = position
        while position < path.count, path[position] != slash { position += 1 }
        return UnsafeRawBufferPointer(rebasing: path[start..<position])
    }
}
