import PluginABI

/// What the host says about itself and the plugins it loaded (`core` sub-table).
extension PluginHost {
    public struct LoadedPlugin: Sendable, Equatable {
        public let name: String
        public let version: String
    }

    /// The host's version, e.g. "0.1.0".
    public var hostVersion: String { table.raw.pointee.core.pointee.host_version().string }

    /// The loaded plugins in load order; complete once every plugin's init has run (so read
    /// it while serving, not in `setUp`).
    public var loadedPlugins: [LoadedPlugin] {
        let core = table.raw.pointee.core.pointee
        return (0..<core.plugin_count()).compactMap { index in
            var name = pattern_str()
            var version = pattern_str()
            guard core.plugin_at(index, &name, &version) == PATTERN_OK else { return nil }
            return LoadedPlugin(name: name.string, version: version.string)
        }
    }
}

extension PluginHost {
    /// Counters of the host's transport (ABI 1.1).
    public struct TransportStats: Sendable, Equatable {
        public let openConnections: UInt64
        public let webSocketConnections: UInt64
        public let webSocketMessagesReceived: UInt64
        public let webSocketMessagesSent: UInt64
        public let requestsInFlight: UInt64
    }

    /// The transport's counters now; nil on a host older than ABI 1.1.
    public var transportStats: TransportStats? {
        guard let core = table.raw.pointee.core, abiHasField(core.pointee.struct_size, \pattern_core_api.transport_stats)
        else { return nil }
        var stats = pattern_transport_stats()
        stats.struct_size = UInt32(MemoryLayout<pattern_transport_stats>.size)
        guard core.pointee.transport_stats(&stats) == PATTERN_OK else { return nil }
        return TransportStats(
            openConnections: stats.open_connections, webSocketConnections: stats.websocket_connections,
            webSocketMessagesReceived: stats.websocket_messages_received,
            webSocketMessagesSent: stats.websocket_messages_sent, requestsInFlight: stats.requests_in_flight)
    }
}
