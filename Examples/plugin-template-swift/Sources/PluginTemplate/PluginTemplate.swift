import PluginKit

/// A third-party plugin's whole shape: a name, a version, a summary, and `setUp`, which
/// registers routes (and middleware, migrations, services) through PluginKit.
enum PluginTemplate: PatternPlugin {
    static let name = "template"
    static let version = "0.1.0"
    static let summary = "Template for out-of-tree Swift plugins: one public route"

    static func setUp(_ host: PluginHost) throws {
        try host.route(.get, "/api/v1/template/greetings/{name}", options: [.public],
                       openAPI: #"{"summary":"Greets someone from an out-of-tree plugin"}"#) { request in
            try .json(["message": "hello, \(request.pathParameter("name") ?? "")", "from": name])
        }
    }
}

/// The one symbol the server looks for in the library.
@c(pattern_plugin_entry_v1)
public func patternPluginEntry() -> UnsafeRawPointer { PluginExport.descriptor(for: PluginTemplate.self) }
