/// `pattern-server plugins` and `plugins inspect FILE`: what is installed, without starting it.
public enum PluginCommands {
    static func list(_ source: PluginSource) throws(PluginLoadError) -> String {
        let files = try source.discover()
        var rows = [["NAME", "VERSION", "ABI", "REQUIRES", "FILE"]]
        for file in files {
            rows.append([file.name, file.version, "\(file.abiMajor).\(file.abiMinor)",
                         file.requires.isEmpty ? "-" : file.requires.joined(separator: ","), file.fileName])
        }
        let widths = (0..<5).map { column in rows.map { $0[column].count }.max() ?? 0 }
        let lines = rows.map { row in
            row.enumerated().map { index, cell in
                index == row.count - 1 ? cell : cell.padding(toLength: widths[index] + 2, withPad: " ", startingAt: 0)
            }.joined()
        }
        let folders = ([source.directory] + source.extraDirectories).joined(separator: ", ")
        return (lines + ["\(files.count) plugin(s) in \(folders)"]).joined(separator: "\n")
    }

    public static func inspect(path: String) throws(PluginLoadError) -> String {
        let file = try PluginLoader.inspect(path: path)
        return """
            name:        \(file.name)
            version:     \(file.version)
            description: \(file.description)
            abi:         \(file.abiMajor).\(file.abiMinor) (host \(PluginLoader.hostABIMajor).\(PluginLoader.hostABIMinor))
            requires:    \(file.requires.isEmpty ? "-" : file.requires.joined(separator: ", "))
            file:        \(file.path)
            """
    }
}

