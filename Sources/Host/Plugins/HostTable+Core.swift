import Glibc
import PatternCrypto
import PatternText
import PluginABI

/// The `core` sub-table: the host's version, plugin health, the loaded plugins, transport
/// counters, and (1.6) resource ids and timestamps.
extension HostTable {
    static func makeCore() -> pattern_core_api {
        var api = pattern_core_api()
        api.struct_size = ABIStruct.size(of: pattern_core_api.self)
        api.host_version = { HostTable.runtime?.hostVersion.str ?? .empty }
        api.report_health = { handle, level, message in
            guard let plugin = LoadedPlugin.from(handle),
                  (PATTERN_HEALTH_OK...PATTERN_HEALTH_ERROR).contains(level)
            else { return PATTERN_INVALID }
            let text = message.string
            plugin.reportHealth(LoadedPlugin.Health(level: level, message: text.isEmpty ? nil : text))
            return PATTERN_OK
        }
        api.plugin_count = { HostTable.runtime?.plugins.withLock { $0.count } ?? 0 }
        api.plugin_at = { index, name, version in
            guard let plugin = HostTable.runtime?.plugins.withLock({ index < $0.count ? $0[index] : nil }) else {
                return PATTERN_NOT_FOUND
            }
            name?.pointee = plugin.nameBytes.str
            version?.pointee = plugin.versionBytes.str
            return PATTERN_OK
        }
        api.transport_stats = { out in
            guard let out, let counters = HostTable.runtime?.transportCounters else { return PATTERN_INVALID }
            let stats = pattern_transport_stats(
                struct_size: ABIStruct.size(of: pattern_transport_stats.self),
                open_connections: UInt64(max(0, counters.openConnections.load(ordering: .relaxed))),
                websocket_connections: UInt64(max(0, counters.webSocketConnections.load(ordering: .relaxed))),
                websocket_messages_received: counters.webSocketMessagesReceived.load(ordering: .relaxed),
                websocket_messages_sent: counters.webSocketMessagesSent.load(ordering: .relaxed),
                requests_in_flight: UInt64(max(0, counters.requestsInFlight.load(ordering: .relaxed))))
            ABIStruct.fill(out, with: stats)
            return PATTERN_OK
        }
        api.new_id = { prefix, out, capacity, outLength in HostTable.newID(prefix, out, capacity, outLength) }
        api.timestamp = { out, capacity in
            guard let out, capacity >= Int(PATTERN_TIMESTAMP_BYTES) else { return PATTERN_INVALID }
            HostTable.copy(Timestamp.rfc3339().utf8, to: out)
            return PATTERN_OK
        }
        return api
    }

    private static func newID(_ prefix: pattern_str, _ out: UnsafeMutablePointer<CChar>?, _ capacity: Int,
                              _ outLength: UnsafeMutablePointer<Int>?) -> pattern_status {
        let prefixBytes = prefix.bytes
        guard let outLength, (1...32).contains(prefixBytes.count),
              prefixBytes.allSatisfy({ (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) })
        else { return PATTERN_INVALID }
        let length = prefixBytes.count + 1 + ResourceIDText.suffixLength
        outLength.pointee = length
        guard let out, capacity >= length else { return PATTERN_INVALID }
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        let milliseconds = UInt64(max(0, now.tv_sec)) * 1000 + UInt64(now.tv_nsec / 1_000_000)
        copy(ResourceIDText.make(prefix: prefix.string, milliseconds: milliseconds).utf8, to: out)
        return PATTERN_OK
    }

    private static func copy(_ text: String.UTF8View, to out: UnsafeMutablePointer<CChar>) {
        UnsafeMutableRawPointer(out).withMemoryRebound(to: UInt8.self, capacity: text.count) { bytes in
            for (index, byte) in text.enumerated() { bytes[index] = byte }
        }
    }
}
