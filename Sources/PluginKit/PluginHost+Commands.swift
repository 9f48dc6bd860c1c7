import PluginABI

/// Command-line commands (ABI 1.6): `pattern-server <plugin> <name> [arguments]` runs `body`
/// once, on the main thread, with the plugins booted and nothing served. Register in `setUp`:
///
/// ```swift
/// try host.command("create-admin", usage: "--username NAME", summary: "Creates an administrator.") { arguments in
///     print("…")   // the result on stdout, errors on stderr
///     return 0     // the exit code: 0 done, 1 failed, 2 bad arguments
/// }
/// ```
extension PluginHost {
    /// Whether this host runs plugin commands (ABI 1.6 and later); `command` throws on an older one.
    public var runsCommands: Bool { table.added(\.cli) != nil }

    public func command(_ name: String, usage: String = "", summary: String,
                        _ body: @escaping @Sendable (_ arguments: [String]) -> Int32) throws {
        guard let cli = table.added(\.cli) else {
            throw RegistrationError(description: "command \(name) needs a host of ABI 1.6 or later "
                                    + "(this one is 1.\(table.raw.pointee.abi_minor))")
        }
        // Retained for the life of the process: the host may run it until exit.
        let box = Unmanaged.passRetained(ClosureBox(body)).toOpaque()
        let status = withABIString(name) { name in
            withABIString(usage) { usage in
                withABIString(summary) { summary in
                    var command = pattern_command(
                        struct_size: UInt32(MemoryLayout<pattern_command>.size), name: name, usage: usage,
                        summary: summary,
                        run: { words, count, userdata in
                            let body = Unmanaged<ClosureBox<@Sendable ([String]) -> Int32>>.fromOpaque(userdata!)
                                .takeUnretainedValue().value
                            return body((0..<count).map { words![$0].string })
                        },
                        userdata: box)
                    return cli.pointee.add_command(handle.raw, &command)
                }
            }
        }
        guard status == PATTERN_OK else {
            Unmanaged<ClosureBox<@Sendable ([String]) -> Int32>>.fromOpaque(box).release()
            throw RegistrationError(description: "command \(name) refused (status \(status))")
        }
    }
}
