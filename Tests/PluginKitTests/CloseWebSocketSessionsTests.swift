import PluginABI
import Synchronization
import Testing
@testable import PluginKit

/// `PluginHost.closeWebSocketSessions`: a 1.3 host gets the user, the session (empty for all)
/// and the reason; on an older host (a ws table that ends before `close_sessions`) it answers
/// false and the missing slot is never read.
@Suite(.serialized) struct CloseWebSocketSessionsTests {
    /// What `close_sessions` was called with (a C function pointer captures nothing).
    private static let calls = Mutex<[String]>([])

    private func withHost(wsTableSize: Int, _ body: (PluginHost) -> Void) {
        Self.calls.withLock { $0 = [] }
        var ws = pattern_ws_api()
        ws.struct_size = UInt32(wsTableSize)
        ws.close_sessions = { user, session, reason in
            CloseWebSocketSessionsTests.calls.withLock { $0.append("\(user.string)|\(session.string)|\(reason.string)") }
            return PATTERN_OK
        }
        withUnsafePointer(to: &ws) { wsTable in
            var table = pattern_host_v1()
            table.struct_size = UInt32(MemoryLayout<pattern_host_v1>.size)
            table.ws = wsTable
            withUnsafePointer(to: &table) { body(PluginHost(table: $0, handle: OpaquePointer(bitPattern: 1)!)) }
        }
    }

    @Test func aCurrentHostClosesOneSessionOrAllOfAUsers() {
        withHost(wsTableSize: MemoryLayout<pattern_ws_api>.size) { host in
            #expect(host.closeWebSocketSessions(userID: "user_1", session: "fam_2", reason: "session_revoked"))
            #expect(host.closeWebSocketSessions(userID: "user_1", reason: "session_revoked"))
        }
        #expect(Self.calls.withLock { $0 } == ["user_1|fam_2|session_revoked", "user_1||session_revoked"])
    }

    @Test func anOlderHostIsNeverAsked() {
        withHost(wsTableSize: MemoryLayout<pattern_ws_api>.offset(of: \.close_sessions)!) { host in
            #expect(!host.closeWebSocketSessions(userID: "user_1", reason: "session_revoked"))
        }
        #expect(Self.calls.withLock { $0 }.isEmpty)
    }
}
