/// Why a plugin could not be loaded: always one line naming the plugin and the fault.
public struct PluginLoadError: Error, CustomStringConvertible, Sendable {
    public let description: String
    init(_ description: String) { self.description = description }
}
