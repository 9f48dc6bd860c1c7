import PluginABI

/// A command a plugin registered (ABI 1.6) for `pattern-server <plugin> <name> [arguments]`.
struct PluginCommand: Sendable {
    let plugin: LoadedPlugin
    let name: String
    let usage: String
    let summary: String
    let callback: pattern_command_fn
    let userdata: PluginUserdata

    /// `[a-z][a-z0-9-]{0,31}`: a word of the command line that no shell quoting is needed for.
    static func isValidName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard (1...32).contains(bytes.count), let first = bytes.first, (0x61...0x7A).contains(first) else { return false }
        return bytes.allSatisfy { (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) || $0 == UInt8(ascii: "-") }
    }

    /// Runs the command on the calling thread; its exit code. The arguments stay pinned until
    /// the process exits, which follows.
    func run(_ arguments: [String]) -> Int32 {
        let words = arguments.map { PinnedBytes($0).str }
        return words.withUnsafeBufferPointer { callback($0.baseAddress, $0.count, userdata.raw) }
    }
}
