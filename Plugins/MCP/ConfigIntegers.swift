import PluginKit

/// Integer keys of the `[mcp]` section, each with its range: read into a config value, and a
/// bad one refuses the start with one line naming the key (both halves of the plugin use it).
struct ConfigIntegers<Config> {
    struct Invalid: Error, CustomStringConvertible {
        let description: String
    }

    let keys: [(name: String, range: ClosedRange<Int64>, path: WritableKeyPath<Config, Int>)]

    func apply(_ section: JSONValue, to config: inout Config) throws(Invalid) {
        for key in keys {
            guard let value = section[key.name] else { continue }
            guard case .integer(let number) = value, key.range.contains(number) else {
                throw Invalid(description: "mcp.\(key.name): expected an integer from \(key.range.lowerBound) to "
                              + "\(key.range.upperBound), got \(value.jsonText)")
            }
            config[keyPath: key.path] = Int(number)
        }
    }
}
