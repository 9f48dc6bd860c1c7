import Foundation
import PluginABI
import PluginKit
import Synchronization

/// The rate-limit plugin's login throttle ("ratelimit.login.v1"), when it is loaded: failures
/// per username and client address, and a slow-down per username across addresses. Looked up
/// lazily, at the first login: auth does not require ratelimit, which may start after it. A
/// service too old to know the client address counts as absent: counting per username alone
/// would let anyone lock the real user out.
final class LoginThrottle: Sendable {
    // @unchecked: a vtable is immutable static data of a plugin that is never unloaded.
    private struct VTable: @unchecked Sendable {
        let pointer: UnsafePointer<pattern_login_throttle_v1>?
    }

    private let host: PluginHost
    private let resolved = Mutex<VTable?>(nil)

    init(host: PluginHost) { self.host = host }

    private var service: UnsafePointer<pattern_login_throttle_v1>? {
        resolved.withLock { slot in
            if let known = slot { return known.pointer }
            let raw = host.lookupService(PATTERN_LOGIN_THROTTLE_SERVICE_V1)
            var pointer = raw?.assumingMemoryBound(to: pattern_login_throttle_v1.self)
            if let candidate = pointer, candidate.pointee.struct_size < MemoryLayout<pattern_login_throttle_v1>.size {
                pointer = nil
            }
            slot = VTable(pointer: pointer)
            return pointer
        }
    }

    /// Seconds before `username` may try again from this request's client (0: now).
    func retryAfter(_ username: String, _ request: Request) -> Int64 {
        guard let service, let function = service.pointee.client_retry_after else { return 0 }
        return withABIString(username) { function(request.abiHandle, $0) }
    }

    /// Waits as long as the service asks before an attempt for `username` is answered (at most
    /// a second, once the username failed too often from all addresses together).
    func slowDown(_ username: String) {
        guard let service, let function = service.pointee.slowdown_milliseconds else { return }
        let milliseconds = min(1000, withABIString(username) { function($0) })
        if milliseconds > 0 { Thread.sleep(forTimeInterval: Double(milliseconds) / 1000) }
    }

    func recordFailure(_ username: String, _ request: Request) {
        guard let service, let function = service.pointee.record_client_failure else { return }
        withABIString(username) { function(request.abiHandle, $0) }
    }
}
