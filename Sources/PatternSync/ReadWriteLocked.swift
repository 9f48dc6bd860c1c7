import Glibc

/// A value behind a POSIX reader-writer lock: many concurrent readers, one writer, writers
/// preferred (so an invalidation is never starved by a stream of reads).
///
/// For read-mostly state on every request's path (the auth plugin's caches, the host's
/// statement kinds). `Mutex` on Linux is a priority-inheritance futex, and with
/// many worker threads on few cores even a tiny critical section sends every thread through
/// the kernel once the holder is preempted; readers here never wait for each other.
// @unchecked: `value` is only touched between pthread_rwlock lock and unlock.
public final class ReadWriteLocked<Value: Sendable>: @unchecked Sendable {
    private var value: Value
    private let lock = UnsafeMutablePointer<pthread_rwlock_t>.allocate(capacity: 1)

    public init(_ value: Value) {
        self.value = value
        var attributes = pthread_rwlockattr_t()
        pthread_rwlockattr_init(&attributes)
        pthread_rwlockattr_setkind_np(&attributes, Int32(PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP))
        pthread_rwlock_init(lock, &attributes)
        pthread_rwlockattr_destroy(&attributes)
    }

    deinit {
        pthread_rwlock_destroy(lock)
        lock.deallocate()
    }

    public func read<R>(_ body: (Value) throws -> R) rethrows -> R {
        pthread_rwlock_rdlock(lock)
        defer { pthread_rwlock_unlock(lock) }
        return try body(value)
    }

    public func write<R>(_ body: (inout Value) throws -> R) rethrows -> R {
        pthread_rwlock_wrlock(lock)
        defer { pthread_rwlock_unlock(lock) }
        return try body(&value)
    }
}
