import PluginABI
import PluginKit
import Synchronization

/// The rate-limit plugin's per-username login throttle ("ratelimit.login.v1"), when it is
/// loaded. Looked up lazily, at the first login: auth does not require ratelimit, which may
/// start after it.
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

    /// Seconds before `username` may try again (0: now).
    func retryAfter(_ username: String) -> Int64 {
        guard let service, let function = service.pointee.retry_after else { return 0 }
        var copy = username
        return copy.withUTF8 { buffer in
            function(pattern_str(ptr: buffer.baseAddress.map { UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self) },
                                 len: buffer.count))
        }
    }

    func recordFailure(_ username: String) {
        guard let service, let function = service.pointee.record_failure else { return }
        var copy = username
        copy.withUTF8 { buffer in
            function(pattern_str(ptr: buffer.baseAddress.map { UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self) },
                                 len: buffer.count))
        }
    }
}
