/// Where plugins are loaded from. By default only the first-party plugins beside the
/// executable: a build also writes examples and test plugins there (SwiftPM always puts
/// every dynamic product beside the binary, and stale files stay), and a default deployment
/// must not serve an anonymous echo socket because a build left it behind. A configured
/// directory (`[plugins] dir`, `PATTERN_PLUGIN_DIR`, `--plugin-dir`) replaces that default and
/// loads everything in it; `[plugins] extra_dirs` adds folders whose every plugin loads too, so
/// a third party ships its own folder instead of copying files beside the binary.
struct PluginSource: Equatable {
    /// The first-party plugin libraries; a new first-party plugin adds its file here.
    static let firstPartyFiles: Set<String> = [
        "libPatternAuth.so", "libPatternAgents.so", "libPatternGroups.so", "libPatternMetrics.so",
        "libPatternRateLimit.so", "libPatternProviders.so", "libPatternChat.so",
        "libPatternMCP.so",
    ]

    let directory: String
    /// nil: every `*.so` in the directory.
    let fileNames: Set<String>?
    let extraDirectories: [String]

    init(_ config: ServerConfig.Plugins) {
        if let configured = config.dir {
            directory = configured
            fileNames = nil
        } else {
            directory = PluginLoader.executableDirectory()
            fileNames = Self.firstPartyFiles
        }
        extraDirectories = config.extraDirs
    }

    /// Opens the plugins this source names: the main directory's, then each extra folder's, each
    /// in file-name order. Two files of one plugin name are refused later, by `select`.
    func discover() throws(PluginLoadError) -> [PluginFile] {
        var files = try PluginLoader.discover(in: directory) { fileNames?.contains($0) ?? true }
        for extra in extraDirectories {
            files += try PluginLoader.discover(in: extra)
        }
        return files
    }
}
