import Dispatch
import Foundation
import Synchronization

/// A fixed set of threads for handlers that may block (database, bcrypt, model calls), so
/// the event loops never wait on them. Jobs run in submission order.
final class WorkerPool: Sendable {
    typealias Job = @Sendable () -> Void

    private let queue = Mutex<JobQueue>(JobQueue())
    private let available = DispatchSemaphore(value: 0)
    /// Jobs submitted and not yet finished (shutdown waits for callbacks it queued).
    private let unfinished = Atomic<Int>(0)

    private struct JobQueue {
        var jobs: [Job?] = []
        var head = 0

        mutating func push(_ job: @escaping Job) { jobs.append(job) }

        mutating func pop() -> Job? {
            guard head < jobs.count else { return nil }
            let job = jobs[head]
            jobs[head] = nil
            head += 1
            if head == jobs.count || head > 1024 {
                jobs.removeFirst(head)
                head = 0
            }
            return job
        }
    }

    init(threads: Int) {
        for index in 0..<threads {
            let thread = Thread { [self] in
                while true {
                    available.wait()
                    if let job = queue.withLock({ $0.pop() }) {
                        job()
                        unfinished.subtract(1, ordering: .releasing)
                    }
                }
            }
            thread.name = "worker-\(index)"
            thread.stackSize = 1 << 20
            thread.start()
        }
    }

    func submit(_ job: @escaping Job) {
        unfinished.add(1, ordering: .relaxed)
        queue.withLock { $0.push(job) }
        available.signal()
    }

    /// Waits until every submitted job has finished, at most `timeoutMilliseconds`.
    func waitUntilIdle(timeoutMilliseconds: UInt64) {
        let deadline = MonotonicClock.milliseconds() + timeoutMilliseconds
        while unfinished.load(ordering: .acquiring) > 0 && MonotonicClock.milliseconds() < deadline {
            usleep(1000)
        }
    }
}
