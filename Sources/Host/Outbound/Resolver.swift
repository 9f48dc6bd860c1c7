import CShims
import Dispatch
import Foundation
import Synchronization

/// Resolves host names on a few threads of its own, since getaddrinfo blocks (for seconds when
/// a DNS server is slow) and the event loops must not. At most `maxPending` lookups wait; one
/// more fails at once rather than queueing without bound.
final class Resolver: Sendable {
    typealias Completion = @Sendable (Result<[IPAddress], OutboundFailure>) -> Void

    private struct Lookup {
        let host: String
        let completion: Completion
    }

    static let maxAddresses = 16
    private let queue = Mutex<[Lookup]>([])
    private let available = DispatchSemaphore(value: 0)
    private let maxPending: Int

    init(threads: Int, maxPending: Int) {
        self.maxPending = maxPending
        for index in 0..<threads {
            let thread = Thread { [self] in
                while true {
                    available.wait()
                    if let lookup = queue.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) {
                        lookup.completion(Self.resolve(lookup.host))
                    }
                }
            }
            thread.name = "resolver-\(index)"
            thread.stackSize = 256 << 10
            thread.start()
        }
    }

    /// Looks `host` up on a resolver thread; `completion` runs there.
    func resolve(_ host: String, completion: @escaping Completion) {
        let queued = queue.withLock { pending -> Bool in
            guard pending.count < maxPending else { return false }
            pending.append(Lookup(host: host, completion: completion))
            return true
        }
        if queued {
            available.signal()
        } else {
            completion(.failure(OutboundFailure(.dns, "too many name lookups waiting (\(maxPending)); \(host) was not resolved")))
        }
    }

    static func resolve(_ host: String) -> Result<[IPAddress], OutboundFailure> {
        var found = [shim_address](repeating: shim_address(), count: maxAddresses)
        let count = shim_resolve(host, &found, Int32(maxAddresses))
        guard count > 0 else {
            let reason = count == 0 ? "no addresses" : String(cString: shim_resolve_error(count))
            return .failure(OutboundFailure(.dns, "\(host) did not resolve: \(reason)"))
        }
        return .success(found.prefix(Int(count)).compactMap { address in
            withUnsafeBytes(of: address.bytes) { IPAddress(bytes: Array($0.prefix(address.family == AF_INET ? 4 : 16))) }
        })
    }
}
