/// The MCP revisions of the handshake era this plugin speaks, newest first: it offers the
/// newest and accepts whichever of these the peer picks (PROTOCOLS.md §1).
enum MCPProtocolVersion {
    static let supported = ["2025-11-25", "2025-06-18", "2025-03-26"]
    static let latest = supported[0]
    /// What a Streamable HTTP peer is assumed to speak when it sends no MCP-Protocol-Version.
    static let assumedWithoutHeader = "2025-03-26"

    static func isSupported(_ version: String) -> Bool { supported.contains(version) }
}
