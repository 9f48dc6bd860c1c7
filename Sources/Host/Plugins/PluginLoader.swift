import Foundation
import Glibc
import PluginABI

/// Finds plugin libraries, opens them and reads their descriptors without starting them,
/// then chooses the deployed set and orders it by `requires`.
enum PluginLoader {
    static let hostABIMajor = UInt16(PATTERN_ABI_MAJOR)
    static let hostABIMinor = UInt16(PATTERN_ABI_MINOR)

    /// The directory beside the running executable (the default plugin directory).
    static func executableDirectory() -> String {
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? CommandLine.arguments[0]
        return (executable as NSString).deletingLastPathComponent
    }

    /// Opens every `*.so` in `directory` that `includes` accepts, in name order.
    static func discover(in directory: String, where includes: (String) -> Bool = { _ in true })
        throws(PluginLoadError) -> [PluginFile]
    {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else {
            throw PluginLoadError("plugin directory \(directory) cannot be read")
        }
        var files: [PluginFile] = []
        for name in names.sorted() where name.hasSuffix(".so") && includes(name) {
            files.append(try inspect(path: (directory as NSString).appendingPathComponent(name)))
        }
        return files
    }

    /// Opens one library and validates its descriptor.
    static func inspect(path: String) throws(PluginLoadError) -> PluginFile {
        let fileName = (path as NSString).lastPathComponent
        guard FileManager.default.fileExists(atPath: path) else {
            throw PluginLoadError("plugin \(path): file not found")
        }
        guard let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL) else {
            let reason = dlerror().map { String(cString: $0) } ?? "unknown error"
            throw PluginLoadError("plugin \(fileName): cannot be loaded: \(reason)")
        }
        guard let symbol = dlsym(handle, PATTERN_ENTRY_SYMBOL_V1) else {
            throw PluginLoadError(
                "plugin \(fileName): no \(PATTERN_ENTRY_SYMBOL_V1) symbol (not a Pattern plugin, or built for another ABI major than \(hostABIMajor))"
            )
        }
        let entry = unsafeBitCast(symbol, to: pattern_plugin_entry_v1_fn.self)
        guard let raw = entry() else {
            throw PluginLoadError("plugin \(fileName): \(PATTERN_ENTRY_SYMBOL_V1) returned no descriptor")
        }
        let descriptor = DescriptorPointer(raw: raw)
        let minimumSize = MemoryLayout<pattern_plugin_descriptor>.offset(of: \.`init`)! + MemoryLayout<UnsafeRawPointer>.size
        let size = Int(UnsafeRawPointer(raw).load(as: UInt32.self))
        guard size >= 8 else {
            throw PluginLoadError("plugin \(fileName): descriptor struct_size \(size) is too small to hold the ABI version")
        }
        let major = descriptor.field(\.abi_major) ?? 0
        let minor = descriptor.field(\.abi_minor) ?? 0
        let name = descriptor.field(\.name)?.string ?? ""
        let version = descriptor.field(\.version)?.string ?? ""
        guard major == hostABIMajor else {
            throw PluginLoadError(
                "plugin \(fileName) (\(name.isEmpty ? "?" : name) \(version)): built for ABI \(major).\(minor), this host supports ABI \(hostABIMajor).\(hostABIMinor) (the major version must match)"
            )
        }
        guard size >= minimumSize else {
            throw PluginLoadError(
                "plugin \(fileName): descriptor struct_size \(size) ends before the required field init (\(minimumSize) bytes)"
            )
        }
        guard isValidName(name) else {
            throw PluginLoadError("plugin \(fileName): invalid name \"\(name)\" (use 1-64 of [a-z0-9_-])")
        }
        guard descriptor.field(\.`init`) != nil else {
            throw PluginLoadError("plugin \(fileName) (\(name) \(version)): descriptor has no init callback")
        }
        var requires: [String] = []
        if let list = descriptor.field(\.requires) ?? nil, let count = descriptor.field(\.requires_count) {
            guard count <= 64 else {
                throw PluginLoadError("plugin \(fileName) (\(name)): requires_count \(count) is implausible")
            }
            requires = (0..<count).map { list[$0].string }
        }
        return PluginFile(
            path: path, name: name, version: version, description: descriptor.field(\.description)?.string ?? "",
            requires: requires, abiMajor: major, abiMinor: minor, descriptor: descriptor)
    }

    /// The deployed set: `enabled` names in config, or every plugin found; ordered so each
    /// plugin comes after the ones it requires.
    static func select(_ files: [PluginFile], enabled: [String]?) throws(PluginLoadError) -> [PluginFile] {
        var byName: [String: PluginFile] = [:]
        for file in files {
            if let other = byName[file.name] {
                throw PluginLoadError("plugins \(other.fileName) and \(file.fileName) both call themselves \"\(file.name)\"")
            }
            byName[file.name] = file
        }
        var chosen: [PluginFile] = []
        if let enabled {
            for name in enabled {
                guard let file = byName[name] else {
                    throw PluginLoadError("plugin \"\(name)\" is enabled in the config but no plugin file provides it")
                }
                chosen.append(file)
            }
        } else {
            chosen = files
        }
        let chosenNames = Set(chosen.map(\.name))
        for file in chosen {
            for dependency in file.requires where !chosenNames.contains(dependency) {
                let hint = byName[dependency] == nil ? "no plugin file provides it" : "it is not enabled"
                throw PluginLoadError("plugin \(file.label) requires \"\(dependency)\", which is not loaded (\(hint))")
            }
        }
        return try dependencyOrder(chosen)
    }

    /// Depth-first topological order; a cycle is an error naming its members.
    private static func dependencyOrder(_ files: [PluginFile]) throws(PluginLoadError) -> [PluginFile] {
        let byName = Dictionary(uniqueKeysWithValues: files.map { ($0.name, $0) })
        var ordered: [PluginFile] = []
        var done: Set<String> = []
        var visiting: [String] = []
        func visit(_ file: PluginFile) throws(PluginLoadError) {
            if done.contains(file.name) { return }
            if let start = visiting.firstIndex(of: file.name) {
                throw PluginLoadError("plugins depend on each other in a cycle: \((visiting[start...] + [file.name]).joined(separator: " → "))")
            }
            visiting.append(file.name)
            for dependency in file.requires.sorted() { try visit(byName[dependency]!) }
            visiting.removeLast()
            done.insert(file.name)
            ordered.append(file)
        }
        for file in files.sorted(by: { $0.name < $1.name }) { try visit(file) }
        return ordered
    }

    private static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 64
            && name.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D || $0 == 0x5F }
    }
}
