/// A TOML syntax or structure error, at a 1-based line.
struct TOMLError: Error, Sendable, Equatable, CustomStringConvertible {
    var line: Int
    var message: String

    var description: String { "line \(line): \(message)" }
}
