/// A descriptor other than a client connection that an event loop watches for its owner: an
/// outbound connection, a child process's pipe or pidfd. Called on the loop's thread only.
protocol LoopWatcher: AnyObject {
    /// The descriptor is ready; `events` as epoll reported them (SHIM_EPOLLIN, ...).
    func ready(_ events: UInt32, on loop: EventLoop)
}
