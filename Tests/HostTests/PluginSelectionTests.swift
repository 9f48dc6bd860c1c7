import PluginABI
import Testing
@testable import Host

/// Choosing the deployed set and its order; opening real libraries is covered by the
/// integration tests (Tests/integration/test_loader.py).
@Suite struct PluginSelectionTests {
    /// Selection never reads the descriptor, so every fake file shares an empty one.
    private static let descriptor = DescriptorPointer(raw: {
        let pointer = UnsafeMutablePointer<pattern_plugin_descriptor>.allocate(capacity: 1)
        pointer.initialize(to: pattern_plugin_descriptor())
        return UnsafePointer(pointer)
    }())

    private func file(_ name: String, requires: [String] = []) -> PluginFile {
        PluginFile(path: "/plugins/lib\(name).so", name: name, version: "1.0.0", description: "", requires: requires,
                   abiMajor: 1, abiMinor: 0, descriptor: Self.descriptor)
    }

    @Test func dependenciesComeFirst() throws {
        let ordered = try PluginLoader.select(
            [file("groups", requires: ["agents", "auth"]), file("agents", requires: ["auth"]), file("auth")],
            enabled: nil)
        #expect(ordered.map(\.name) == ["auth", "agents", "groups"])
    }

    @Test func enabledListChoosesTheSet() throws {
        let ordered = try PluginLoader.select([file("auth"), file("metrics"), file("agents")], enabled: ["metrics"])
        #expect(ordered.map(\.name) == ["metrics"])
    }

    @Test func missingDependencyIsNamed() {
        #expect {
            try PluginLoader.select([file("groups", requires: ["agents"])], enabled: nil)
        } throws: { error in
            let text = String(describing: error)
            return text.contains("groups") && text.contains("\"agents\"") && text.contains("no plugin file provides it")
        }
    }

    @Test func dependencyPresentButNotEnabledIsNamed() {
        #expect {
            try PluginLoader.select([file("groups", requires: ["agents"]), file("agents")], enabled: ["groups"])
        } throws: { error in String(describing: error).contains("it is not enabled") }
    }

    @Test func enabledButMissingPluginIsNamed() {
        #expect {
            try PluginLoader.select([file("auth")], enabled: ["auth", "nope"])
        } throws: { error in String(describing: error).contains("\"nope\" is enabled in the config") }
    }

    @Test func cyclesAreRefused() {
        #expect {
            try PluginLoader.select([file("a", requires: ["b"]), file("b", requires: ["a"])], enabled: nil)
        } throws: { error in String(describing: error).contains("cycle") }
    }

    @Test func duplicateNamesAreRefused() {
        #expect {
            try PluginLoader.select([file("auth"), file("auth")], enabled: nil)
        } throws: { error in String(describing: error).contains("both call themselves") }
    }
}
