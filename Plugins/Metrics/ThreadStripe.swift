import Glibc
import Synchronization

/// Which stripe of per-thread counters the calling thread writes to: threads get stripes
/// round-robin on first use, so the event loops and workers each update their own cells
/// instead of bouncing one cache line between cores on every request. Readers sum stripes.
enum ThreadStripe {
    static let count = 16
    private static let assigned = Atomic<Int>(0)
    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        return key
    }()

    static var current: Int {
        if let stored = pthread_getspecific(key) { return Int(bitPattern: stored) - 1 }
        let stripe = assigned.add(1, ordering: .relaxed).oldValue % count
        pthread_setspecific(key, UnsafeRawPointer(bitPattern: stripe + 1))
        return stripe
    }
}
