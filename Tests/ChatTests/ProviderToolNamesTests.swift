import PluginKit
import Testing
@testable import Chat

/// Tool names model APIs refuse go out under a stable alias and come back as the agent's names.
@Suite struct ProviderToolNamesTests {
    @Test func namesThatFitAreKept() {
        #expect(ProviderToolNames.alias("send_message") == "send_message")
        #expect(ProviderToolNames.alias("block-edit2") == "block-edit2")
    }

    @Test func otherNamesGetAStableAliasThatFits() {
        let alias = ProviderToolNames.alias("mcp:calc/add")
        #expect(alias.hasPrefix("mcp_calc_add_") && ProviderToolNames.fits(alias))
        #expect(alias == ProviderToolNames.alias("mcp:calc/add"))
        #expect(alias != ProviderToolNames.alias("mcp:calc_add"))
        let long = "mcp:" + String(repeating: "s", count: 64) + "/tool"
        #expect(ProviderToolNames.fits(ProviderToolNames.alias(long)))
    }

    @Test func aRequestGoesOutAliasedAndTheModelsCallsComeBackNamed() {
        var request: [String: JSONValue] = [
            "tools": [["name": "send_message"], ["name": "mcp:files/read"]],
            "messages": [["role": "assistant", "tool_calls": [["id": "1", "name": "mcp:files/read", "arguments": "{}"]]],
                         ["role": "user", "content": "hi"]],
        ]
        var names = ProviderToolNames()
        names.encode(&request)
        let alias = ProviderToolNames.alias("mcp:files/read")
        #expect(request["tools"]?.arrayValue?.compactMap { $0["name"]?.stringValue } == ["send_message", alias])
        #expect(request["messages"]?.arrayValue?.first?["tool_calls"]?.arrayValue?.first?["name"]?.stringValue == alias)
        #expect(names.decode(ToolCall(id: "2", name: alias, arguments: "{}")).name == "mcp:files/read")
        #expect(names.decode(ToolCall(id: "3", name: "send_message", arguments: "{}")).name == "send_message")
    }
}
