import Glibc

/// Whether the calling thread is one of the event loops' (where nothing may block), read
/// from a thread-specific marker the loops set as they start: `http->may_block` answers it
/// for plugins, which run both on loops (inline) and on workers.
enum LoopThread {
    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        precondition(pthread_key_create(&key, nil) == 0, "no thread-specific key left")
        return key
    }()

    /// Marks the calling thread as an event loop's, for the rest of its life.
    static func markCurrent() {
        _ = pthread_setspecific(key, UnsafeRawPointer(bitPattern: 1))
    }

    static var isCurrent: Bool { pthread_getspecific(key) != nil }
}
