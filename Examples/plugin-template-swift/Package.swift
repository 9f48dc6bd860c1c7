// swift-tools-version:6.0
// A Pattern Server plugin in Swift, built outside the server's package: copy this folder, rename
// the product and the plugin, and point the dependency at your checkout of pattern-server.
import PackageDescription

let package = Package(
    name: "plugin-template-swift",
    products: [
        // The shared library the server loads: put it in a folder listed in `[plugins] extra_dirs`.
        .library(name: "PluginTemplate", type: .dynamic, targets: ["PluginTemplate"]),
    ],
    dependencies: [
        // PluginKit, the Swift SDK over the plugin ABI. Build the plugin with the same Swift
        // toolchain as the server (Swift has no stable ABI on Linux).
        .package(name: "pattern-server", path: "../.."),
    ],
    targets: [
        .target(name: "PluginTemplate", dependencies: [.product(name: "PluginKit", package: "pattern-server")],
                swiftSettings: [.unsafeFlags(["-warnings-as-errors"])]),
        // Unit tests without a socket: PluginKitTesting loads the built library in-process.
        .testTarget(name: "PluginTemplateTests",
                    dependencies: [.product(name: "PluginKitTesting", package: "pattern-server")]),
    ],
    swiftLanguageModes: [.v6]
)
