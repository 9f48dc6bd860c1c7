/// Where plugins are loaded from. By default only the first-party plugins beside the
/// executable: a build also writes examples and test plugins there (SwiftPM always puts
/// every dynamic product beside the binary, and stale files stay), and a default deployment
/// must not serve an anonymous echo socket because a build left it behind. A configured
/// directory (`[plugins] dir`, `PATTERN_PLUGIN_DIR`, `--plugin-dir`) loads everything in it.
struct PluginSource: Equatable {
    /// The first-party plugin libraries; a new first-party plugin adds its file here.
    static let firstPartyFiles: Set<String> = [
        "libPatternAuth.so", "libPatternAgents.so", "libPatternGroups.so", "libPatternMetrics.so",
        "libPatternRateLimit.so", "libPatternProviders.so", "libPatternChat.so",
    ]

    let directory: String
    /// nil: every `*.so` in the directory.
    let fileNames: Set<String>?

    init(configuredDirectory: String?) {
        if let configuredDirectory {
            directory = configuredDirectory
            fileNames = nil
        } else {
            directory = PluginLoader.executableDirectory()
            fileNames = Self.firstPartyFiles
        }
    }

    /// Opens the plugins this source names, in file-name order.
    func discover() throws(PluginLoadError) -> [PluginFile] {
        try PluginLoader.discover(in: directory) { fileNames?.contains($0) ?? true }
    }
}
