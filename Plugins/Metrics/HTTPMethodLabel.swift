/// The `method` label: the standard methods as they are, anything else "other", so a client
/// inventing methods cannot multiply the series.
enum HTTPMethodLabel {
    static let names = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "other"]
    private static let known = names.dropLast().map { Array($0.utf8) }

    /// Index into `names`, from the request's method bytes (no String is built).
    static func index(_ method: UnsafeRawBufferPointer) -> UInt8 {
        for (index, name) in known.enumerated() where name.elementsEqual(method) { return UInt8(index) }
        return UInt8(names.count - 1)
    }
}
