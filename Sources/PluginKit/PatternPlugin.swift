/// A Swift plugin: a type with the descriptor's facts and a `setUp` that registers routes,
/// middleware, migrations and services.
///
/// ```swift
/// enum HelloPlugin: PatternPlugin {
///     static let name = "hello"
///     static let version = "1.0.0"
///     static func setUp(_ host: PluginHost) throws {
///         try host.route(.get, "/api/v1/hello/{name}", options: [.public]) { request in
///             try .json(["message": "hello, \(request.pathParameter("name") ?? "")"])
///         }
///     }
/// }
///
/// @c(pattern_plugin_entry_v1)
/// public func entry() -> UnsafeRawPointer { PluginExport.descriptor(for: HelloPlugin.self) }
/// ```
public protocol PatternPlugin: SendableMetatype {
    /// Unique `[a-z0-9_-]+`; also the name of the plugin's config section.
    static var name: String { get }
    static var version: String { get }
    /// One line for `pattern-server plugins`.
    static var summary: String { get }
    /// Plugins that must be loaded (and initialised) before this one.
    static var requires: [String] { get }
    /// Registers everything; runs once on the host's control thread. Throwing refuses the start.
    static func setUp(_ host: PluginHost) throws
    /// Runs once after the host has drained requests.
    static func shutDown()
}

extension PatternPlugin {
    public static var summary: String { "" }
    public static var requires: [String] { [] }
    public static func shutDown() {}
}
