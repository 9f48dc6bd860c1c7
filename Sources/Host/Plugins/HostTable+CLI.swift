import PluginABI

/// The `cli` sub-table (ABI 1.6): plugins' command-line commands, registered during init.
extension HostTable {
    static func makeCLI() -> pattern_cli_api {
        var api = pattern_cli_api()
        api.struct_size = ABIStruct.size(of: pattern_cli_api.self)
        api.add_command = { handle, command in
            guard let plugin = LoadedPlugin.from(handle), let command, let runtime = HostTable.runtime,
                  command.pointee.struct_size >= ABIStruct.size(of: pattern_command.self),
                  let callback = command.pointee.run
            else { return PATTERN_INVALID }
            let name = command.pointee.name.string
            let summary = command.pointee.summary.string
            guard PluginCommand.isValidName(name), !summary.isEmpty else { return PATTERN_INVALID }
            let registered = PluginCommand(plugin: plugin, name: name, usage: command.pointee.usage.string,
                                           summary: summary, callback: callback,
                                           userdata: PluginUserdata(raw: command.pointee.userdata))
            return runtime.register { registrations in
                guard !registrations.commands.contains(where: { $0.plugin === plugin && $0.name == name }) else {
                    return PATTERN_CONFLICT
                }
                registrations.commands.append(registered)
                return PATTERN_OK
            }
        }
        return api
    }
}
